import { Button, Tag } from "antd";
import { useMemo } from "react";
import { useApi } from "../api/client";
import type { components } from "../api/schema";
import { useSession } from "../auth/AuthProvider";
import { useI18n } from "../i18n/LanguageProvider";
import { can } from "../lib/roles";
import { useLoad } from "../lib/useLoad";
import { ActionButton } from "./ActionButton";
import { changedOnly, ItemForm, type FieldSpec } from "./ItemForm";
import { ItemTable } from "./ItemTable";
import { useItemForm } from "./useItemForm";

type KeyPart = components["schemas"]["KeyPartRead"];
const KEY_PART_DEVICES: components["schemas"]["KeyPartDeviceType"][] = [
  "video_camera", "intrusion_panel", "perimeter_alarm", "one_button_alarm", "access_control", "id_verification",
  "plate_recognition", "trajectory_terminal",
];

/** Key parts (重要部位, §6): what protects them and which devices they need; kept by the unit's security staff. */
export function KeyPartsTab({ uscc }: { uscc: string }) {
  const { t, label } = useI18n();
  const api = useApi();
  const { roles } = useSession();
  const keep = can(roles, "keepDossier");
  const parts = useLoad(() => api.GET("/api/v1/units/{uscc}/key-parts", { params: { path: { uscc } } }), [api, uscc]);
  const form = useItemForm<KeyPart>();
  const fields = useMemo<FieldSpec[]>(
    () => [
      { name: "name", label: "keyParts.name", required: true, max: 100 },
      { name: "location", label: "dossier.location", max: 200 },
      { name: "description", label: "dossier.description", kind: "textarea", max: 2000 },
      { name: "protection_measures", label: "dossier.measuresLines", kind: "lines" },
      {
        name: "required_device_types",
        label: "dossier.requiredDevices",
        kind: "tags",
        options: KEY_PART_DEVICES.map((value) => ({ value, label: label("device_type", value) })),
      },
    ],
    [label],
  );
  const part = form.item;
  return (
    <>
      <ItemTable<KeyPart>
        loaded={parts}
        toolbar={keep && <Button type="primary" onClick={form.openNew}>{t("keyParts.add")}</Button>}
        columns={[
          { title: t("keyParts.name"), dataIndex: "name" },
          { title: t("dossier.location"), dataIndex: "location" },
          { title: t("dossier.measures"), dataIndex: "protection_measures", render: (v: string[]) => v.join("、") },
          {
            title: t("dossier.requiredDevices"),
            dataIndex: "required_device_types",
            render: (v: string[]) => v.map((type) => <Tag key={type}>{label("device_type", type)}</Tag>),
          },
        ]}
        rowActions={
          keep
            ? (item) => (
                <>
                  <Button size="small" onClick={() => form.openFor(item)} aria-label={`${t("form.edit")} ${item.name ?? ""}`}>
                    {t("form.edit")}
                  </Button>
                  <ActionButton
                    danger
                    confirm={t("form.deleteConfirm")}
                    call={() =>
                      api.DELETE("/api/v1/units/{uscc}/key-parts/{key_part_id}", {
                        params: { path: { uscc, key_part_id: item.id }, header: { "If-Match": `"${item.version}"` } },
                      })
                    }
                    onDone={parts.reload}
                  >
                    {t("form.delete")}
                  </ActionButton>
                </>
              )
            : undefined
        }
      />
      <ItemForm
        title={part ? t("keyParts.edit") : t("keyParts.add")}
        open={form.open}
        fields={fields}
        item={part}
        submit={(body) =>
          part
            ? api.PATCH("/api/v1/units/{uscc}/key-parts/{key_part_id}", {
                params: { path: { uscc, key_part_id: part.id }, header: { "If-Match": `"${part.version}"` } },
                body: changedOnly(fields, part, body) as components["schemas"]["KeyPartUpdate"],
              })
            : api.POST("/api/v1/units/{uscc}/key-parts", {
                params: { path: { uscc } },
                body: body as components["schemas"]["KeyPartCreate"],
              })
        }
        onClose={form.close}
        onDone={parts.reload}
      />
    </>
  );
}
