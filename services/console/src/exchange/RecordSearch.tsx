import { Alert, Button, Card, Form, Input, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { problemText, useApi } from "../api/client";
import { useI18n } from "../i18n/LanguageProvider";
import type { MessageKey } from "../i18n/messages";
import { formatTime } from "../lib/time";
import { datasetKey, isResidentId, summaryFields, type DatasetInfo, type ExchangeRecord } from "./model";

interface Outcome {
  records: ExchangeRecord[];
  errors: string[];
}

/** A person's records across the datasets naming people, by the resident ID number (police only; audited). */
export function RecordSearch({ datasets }: { datasets: DatasetInfo[] }) {
  const { t } = useI18n();
  const api = useApi();
  const [number, setNumber] = useState("");
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const searched = datasets.filter((d) => d.person);

  async function search() {
    const idNumber = number.trim().toUpperCase();
    if (!isResidentId(idNumber)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setBusy(true);
    try {
      // One search per dataset (each audited by the gateway); the ID number goes in the body, never the URL.
      const answers = await Promise.all(
        searched.map((d) =>
          api.POST("/api/v1/exchange/{sector}/{dataset}/records/search", {
            params: { path: { sector: d.sector, dataset: d.dataset } },
            body: { id_number: idNumber, limit: 200 },
          }),
        ),
      );
      const records = answers.flatMap((answer) => answer.data?.items ?? []);
      records.sort((a, b) => (b.occurred_at ?? "").localeCompare(a.occurred_at ?? ""));
      const errors = answers.filter((answer) => answer.error).map((answer) => problemText(answer.error));
      setOutcome({ records, errors: [...new Set(errors)] });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Alert type="info" showIcon title={t("exchange.search.notice")} />
      <Card size="small">
        <Form layout="inline" onFinish={() => void search()}>
          <Form.Item
            label={t("exchange.search.idNumber")}
            htmlFor="exchange-id-number"
            validateStatus={invalid ? "error" : undefined}
            help={invalid ? t("exchange.search.invalid") : undefined}
          >
            <Input
              id="exchange-id-number"
              autoComplete="off"
              maxLength={18}
              style={{ width: 240 }}
              placeholder={t("exchange.search.placeholder")}
              value={number}
              onChange={(e) => setNumber(e.target.value)}
            />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t("common.search")}
            </Button>
          </Form.Item>
        </Form>
      </Card>
      {outcome?.errors.map((error) => <Alert key={error} type="error" showIcon title={error} />)}
      {outcome && (
        <Typography.Text data-testid="exchange-search-count">
          {outcome.records.length ? t("exchange.search.found", { n: outcome.records.length }) : t("exchange.search.none")}
        </Typography.Text>
      )}
      {outcome && outcome.records.length > 0 && (
        <Table<ExchangeRecord>
          rowKey="id"
          size="small"
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          dataSource={outcome.records}
          columns={[
            {
              title: t("exchange.dataset"),
              key: "dataset",
              width: 140,
              render: (_: unknown, r) => <Tag>{t(`exchange.ds.${datasetKey(r)}` as MessageKey)}</Tag>,
            },
            { title: t("exchange.occurredAt"), dataIndex: "occurred_at", render: formatTime, width: 170 },
            { title: t("exchange.jurisdiction"), dataIndex: "jurisdiction", width: 100 },
            { title: t("exchange.organisation"), dataIndex: "organisation", width: 190 },
            {
              title: t("exchange.fields"),
              key: "fields",
              render: (_: unknown, r) => (
                <Space size={[4, 4]} wrap>
                  {summaryFields(r).map(([name, value]) => (
                    <Tag key={name} data-field={name}>
                      {name}: {String(value)}
                    </Tag>
                  ))}
                </Space>
              ),
            },
          ]}
        />
      )}
    </Space>
  );
}
