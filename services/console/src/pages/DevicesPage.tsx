import { Alert, Badge, Button, Card, Drawer, Form, Select, Space, Table, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router";
import { useApi } from "../api/client";
import type { DeviceRead } from "../api/types";
import { useI18n } from "../i18n/LanguageProvider";
import { formatTime } from "../lib/time";
import { useLoad } from "../lib/useLoad";
import { ComplianceTable } from "./ComplianceTable";

const STATUSES = ["online", "offline", "fault", "unknown"] as const;
const TYPES = [
  "video_camera", "nvr", "intrusion_detector", "perimeter_alarm", "one_button_alarm", "access_control",
  "id_verification", "plate_recognition", "trajectory_terminal",
] as const;
type Status = (typeof STATUSES)[number];

function UnitCompliance({ uscc }: { uscc: string }) {
  const api = useApi();
  const compliance = useLoad(() => api.GET("/api/v1/units/{uscc}/compliance", { params: { path: { uscc } } }), [api, uscc]);
  if (compliance.error) return <Alert type="error" title={compliance.error} />;
  return compliance.data ? <ComplianceTable compliance={compliance.data} /> : <Card loading />;
}

/** Devices in the caller's scope by status and type; a unit's compliance explained requirement by requirement. */
export function DevicesPage() {
  const { t, label } = useI18n();
  const api = useApi();
  const [status, setStatus] = useState<Status>();
  const [deviceType, setDeviceType] = useState<string>();
  const [unit, setUnit] = useState<string>();
  const devices = useLoad(
    () =>
      api.GET("/api/v1/devices", {
        params: { query: { status, device_type: deviceType as DeviceRead["device_type"] & string, limit: 200 } },
      }),
    [api, status, deviceType],
  );
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Title level={3}>{t("devices.title")}</Typography.Title>
      <Card>
        <Form layout="inline">
          <Form.Item label={t("devices.status")} htmlFor="device-status">
            <Select<Status>
              id="device-status"
              allowClear
              style={{ width: 140 }}
              value={status}
              onChange={setStatus}
              options={STATUSES.map((value) => ({ value, label: label("device_status", value) }))}
            />
          </Form.Item>
          <Form.Item label={t("devices.type")} htmlFor="device-type">
            <Select
              id="device-type"
              allowClear
              style={{ width: 180 }}
              value={deviceType}
              onChange={setDeviceType}
              options={TYPES.map((value) => ({ value, label: label("device_type", value) }))}
            />
          </Form.Item>
        </Form>
      </Card>
      {devices.error && <Alert type="error" showIcon title={devices.error} />}
      <Table<DeviceRead>
        rowKey="id"
        size="small"
        loading={devices.loading}
        dataSource={devices.data?.items ?? []}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: t("devices.name"), dataIndex: "name" },
          { title: t("devices.type"), dataIndex: "device_type", render: (v: string) => label("device_type", v) },
          {
            title: t("devices.status"),
            dataIndex: "status",
            render: (v: string) => (
              <Badge status={v === "online" ? "success" : v === "unknown" ? "default" : "error"} text={label("device_status", v)} />
            ),
          },
          { title: t("devices.lifecycle"), dataIndex: "lifecycle" },
          { title: t("devices.lastHeartbeat"), dataIndex: "last_heartbeat_at", render: formatTime },
          {
            title: t("devices.unit"),
            dataIndex: "uscc",
            render: (uscc: string) => (
              <Space>
                <Link to={`/units/${uscc}`}>{uscc}</Link>
                <Button size="small" onClick={() => setUnit(uscc)}>
                  {t("devices.complianceFor")}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <Drawer open={unit !== undefined} onClose={() => setUnit(undefined)} size="large" title={`${t("devices.compliance")} · ${unit ?? ""}`}>
        {unit && <UnitCompliance uscc={unit} />}
      </Drawer>
    </Space>
  );
}
