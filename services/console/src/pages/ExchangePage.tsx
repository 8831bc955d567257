import { Tabs, Typography } from "antd";
import { useApi } from "../api/client";
import { useSession } from "../auth/AuthProvider";
import { RecordSearch } from "../exchange/RecordSearch";
import { SectorDashboard } from "../exchange/SectorDashboard";
import { SubmitterHealthTable } from "../exchange/SubmitterHealthTable";
import { datasetsFor, maySearchPersons } from "../exchange/model";
import { useI18n } from "../i18n/LanguageProvider";
import { useLoad } from "../lib/useLoad";

/** Sector data exchange: dashboards per sector and dataset, a person's records (police), submitter health. */
export function ExchangePage() {
  const { t } = useI18n();
  const api = useApi();
  const session = useSession();
  const me = useLoad(() => api.GET("/api/v1/me"), [api]);
  const datasets = datasetsFor(session.roles, me.data?.sector);
  const tabs = [
    {
      key: "dashboard",
      label: t("exchange.tabs.dashboard"),
      children: me.loading ? null : <SectorDashboard datasets={datasets} />,
    },
    ...(maySearchPersons(session.roles)
      ? [{ key: "search", label: t("exchange.tabs.search"), children: <RecordSearch datasets={datasets} /> }]
      : []),
    { key: "submitters", label: t("exchange.tabs.submitters"), children: <SubmitterHealthTable /> },
  ];
  return (
    <>
      <Typography.Title level={3}>{t("exchange.title")}</Typography.Title>
      <Tabs items={tabs} destroyOnHidden />
    </>
  );
}
