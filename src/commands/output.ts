/** Where a command writes what it prints (standard output, closed-pipe safe). */
export type Print = (text: string) => void;

/** Exit codes of the sync commands: 0 done, 1 errors or a name that resolves to nothing, 2 stopped by the deletion threshold. */
export const EXIT = { ok: 0, failed: 1, deletionThreshold: 2 } as const;
