// Imported first by bench/run.ts: Herald's logger reads LOG_LEVEL when it is first imported, and
// a line per send would be what the benchmark measured.
process.env.LOG_LEVEL ??= 'warn';
