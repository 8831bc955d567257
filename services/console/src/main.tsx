import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { createUserManager, loadConfig } from "./auth/oidc";
import "./lib/time";
import "./styles.css";

void loadConfig().then((config) => {
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <App manager={createUserManager(config)} />
    </StrictMode>,
  );
});
