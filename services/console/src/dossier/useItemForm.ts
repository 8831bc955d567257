import { useCallback, useState } from "react";

/** Which item a form is open for: none (closed), a new one, or an existing one. */
export function useItemForm<T>() {
  const [state, setState] = useState<{ open: boolean; item?: T }>({ open: false });
  const openNew = useCallback(() => setState({ open: true }), []);
  const openFor = useCallback((item: T) => setState({ open: true, item }), []);
  const close = useCallback(() => setState({ open: false }), []);
  return { ...state, openNew, openFor, close };
}
