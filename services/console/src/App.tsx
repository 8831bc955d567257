import { App as AntApp, Spin } from "antd";
import type { UserManager } from "oidc-client-ts";
import { lazy, Suspense, useMemo } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { ApiContext, createApi } from "./api/client";
import { AuthProvider, useSession } from "./auth/AuthProvider";
import { LanguageProvider } from "./i18n/LanguageProvider";
import { AppLayout } from "./layout/AppLayout";
import { AlarmDeskPage } from "./pages/AlarmDeskPage";
import { DevicesPage } from "./pages/DevicesPage";
import { ExchangePage } from "./pages/ExchangePage";
import { RankingPage } from "./pages/RankingPage";
import { ReviewQueuePage } from "./pages/ReviewQueuePage";
import { UnitDossierPage } from "./pages/UnitDossierPage";
import { UnitsPage } from "./pages/UnitsPage";

// The dashboard brings ECharts: loaded when first shown.
const DashboardPage = lazy(() => import("./pages/DashboardPage").then((module) => ({ default: module.DashboardPage })));

/** The pages, for a signed-in session (the API client carries its token). */
export function ConsoleRoutes() {
  const session = useSession();
  const api = useMemo(() => createApi(session.accessToken), [session.accessToken]);
  return (
    <ApiContext.Provider value={api}>
      <Routes>
        <Route element={<AppLayout />}>
          <Route
            index
            element={
              <Suspense fallback={<Spin />}>
                <DashboardPage />
              </Suspense>
            }
          />
          <Route path="units" element={<UnitsPage />} />
          <Route path="units/:uscc" element={<UnitDossierPage />} />
          <Route path="devices" element={<DevicesPage />} />
          <Route path="alarms" element={<AlarmDeskPage />} />
          <Route path="exchange" element={<ExchangePage />} />
          <Route path="rankings" element={<RankingPage />} />
          <Route path="reviews" element={<ReviewQueuePage />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </ApiContext.Provider>
  );
}

export function App({ manager }: { manager: UserManager }) {
  return (
    <LanguageProvider>
      <AntApp>
        <AuthProvider manager={manager}>
          <BrowserRouter>
            <ConsoleRoutes />
          </BrowserRouter>
        </AuthProvider>
      </AntApp>
    </LanguageProvider>
  );
}
