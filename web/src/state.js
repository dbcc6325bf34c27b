// A minimal observable value; the App re-renders when any it reads changes.
const listeners = new Set();
export function signal(initial) {
  let value = initial;
  return {
    get: () => value,
    set: (next) => { value = next; for (const l of listeners) l(); },
  };
}
export function subscribe(listener) { listeners.add(listener); return () => listeners.delete(listener); }
