// How the laptop run prints: every line stamped with the seconds since the start, steps set off
// by a `──` header (the test and the README split the output at them).
const started = Date.now();

export const elapsed = () => (Date.now() - started) / 1000;
const clock = () => `[${elapsed().toFixed(2).padStart(6)}s]`;

export const say = (text) => console.log(`${clock()} ${text}`);
export const step = (text) => console.log(`\n${clock()} ── ${text}`);
export const warn = (text) => console.error(`${clock()} ${text}`);
