// The agent's ldapts DirSync control, for tests that read DirSync as a client would.
export { DirSyncControl } from '../../src/sync/connectors/controls.js';
