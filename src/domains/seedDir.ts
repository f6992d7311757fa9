import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's seed/ directory: the estates' LDIF. */
export const SEED_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'seed');
