/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The OIDC issuer when the gateway does not serve /console-config.json (e.g. http://127.0.0.1:8180/realms/neibao). */
  readonly VITE_OIDC_AUTHORITY?: string;
}
