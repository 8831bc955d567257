import { useCallback, useEffect, useRef, useState } from "react";
import { problemText } from "../api/client";

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  status: number | undefined;
  loading: boolean;
  reload: () => void;
}

/** Runs an openapi-fetch call when `deps` change; the latest answer wins. */
export function useLoad<T>(
  load: () => Promise<{ data?: T; error?: unknown; response: Response }>,
  deps: readonly unknown[],
): Loaded<T> {
  const [state, setState] = useState<Omit<Loaded<T>, "reload">>({
    data: undefined,
    error: undefined,
    status: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const call = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    load()
      .then(({ data, error, response }) => {
        if (call !== latest.current) return;
        setState({
          data,
          error: error === undefined ? undefined : problemText(error) || String(response.status),
          status: response.status,
          loading: false,
        });
      })
      .catch((e: unknown) => {
        if (call === latest.current) setState({ data: undefined, error: String(e), status: undefined, loading: false });
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}
