import { UserManager, WebStorageStateStore, type User } from "oidc-client-ts";

/** The issuer used when the gateway does not say (a build for another setup can set VITE_OIDC_AUTHORITY). */
export const DEFAULT_AUTHORITY: string =
  import.meta.env.VITE_OIDC_AUTHORITY ?? "http://127.0.0.1:8180/realms/neibao";
export const CLIENT_ID = "neibao-console";
export const CALLBACK_PATH = "/auth/callback";
export const CONFIG_PATH = "/console-config.json";

export interface ConsoleConfig {
  oidc_authority: string;
  client_id: string;
}

/** Where to sign in, as the gateway serving the console says (the issuer it trusts); else the defaults. */
export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<ConsoleConfig> {
  try {
    const response = await fetchImpl(CONFIG_PATH, { cache: "no-store" });
    if (response.ok) {
      const body = (await response.json()) as Partial<ConsoleConfig>;
      if (typeof body.oidc_authority === "string" && body.oidc_authority) {
        return { oidc_authority: body.oidc_authority, client_id: body.client_id || CLIENT_ID };
      }
    }
  } catch {
    // an older gateway or a static host: the defaults
  }
  return { oidc_authority: DEFAULT_AUTHORITY, client_id: CLIENT_ID };
}

/** The one UserManager of the app: authorization code + PKCE (S256), renewal by refresh token. */
export function createUserManager(config: ConsoleConfig, origin: string = window.location.origin): UserManager {
  return new UserManager({
    authority: config.oidc_authority,
    client_id: config.client_id,
    redirect_uri: `${origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${origin}/`,
    response_type: "code",
    scope: "openid profile",
    // Renewal uses the refresh token (no hidden iframe: the console's CSP and X-Frame-Options forbid it).
    automaticSilentRenew: true,
    accessTokenExpiringNotificationTimeInSeconds: 60,
    monitorSession: false,
    loadUserInfo: false,
    // sessionStorage: a closed tab forgets the tokens.
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
}

/** The claims of an access token (its payload, not verified here: the gateway verifies it). */
export function accessTokenClaims(user: User | null): Record<string, unknown> {
  const token = user?.access_token;
  if (!token) return {};
  const part = token.split(".")[1];
  if (!part) return {};
  try {
    const base64 = part.replaceAll("-", "+").replaceAll("_", "/");
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The realm roles of the signed-in user. */
export function realmRoles(user: User | null): string[] {
  const access = accessTokenClaims(user).realm_access as { roles?: unknown } | undefined;
  return Array.isArray(access?.roles) ? access.roles.filter((role): role is string => typeof role === "string") : [];
}
