/** The environment a run sees (process.env, or a test's own): every layer reads it through this type. */
export type Env = Readonly<Record<string, string | undefined>>;
