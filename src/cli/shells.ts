// The shells `bosun completion` writes a script for. Apart from completion.ts so that the command
// tree (program.ts), which every bosun process builds, the agent's included, names them without
// loading the completion code and its HTTP client (issue 23: the agent's memory).
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];
