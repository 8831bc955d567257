import createClient, { type Client, type Middleware } from "openapi-fetch";
import { createContext, useContext } from "react";
import type { paths } from "./schema";

/** The gateway's REST API, typed from its OpenAPI document (src/api/schema.d.ts, generated). */
export type Api = Client<paths>;

/** A client of the gateway at `baseUrl` (same origin by default) sending the session's bearer token. */
export function createApi(accessToken: () => Promise<string>, baseUrl = "", fetchImpl?: typeof fetch): Api {
  const client = createClient<paths>({ baseUrl, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const bearer: Middleware = {
    async onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${await accessToken()}`);
      return request;
    },
  };
  client.use(bearer);
  return client;
}

/** An RFC 9457 problem as the gateway answers errors. */
export interface Problem {
  status?: number;
  title?: string;
  detail?: string;
  errors?: { pointer?: string; detail?: string }[] | null;
}

/** A readable line for an error answer. */
export function problemText(error: unknown): string {
  if (error && typeof error === "object") {
    const problem = error as Problem;
    const fields = (problem.errors ?? []).map((e) => `${e.pointer ?? ""} ${e.detail ?? ""}`.trim());
    return [problem.detail ?? problem.title ?? "", ...fields].filter(Boolean).join("; ");
  }
  return String(error);
}

export const ApiContext = createContext<Api | null>(null);

/** The app's API client. */
export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi outside ApiContext");
  return api;
}
