import { Button } from "antd";
import { useMemo } from "react";
import { useApi } from "../api/client";
import type { components } from "../api/schema";
import { useSession } from "../auth/AuthProvider";
import { useI18n } from "../i18n/LanguageProvider";
import { maskPhone } from "../lib/mask";
import { can } from "../lib/roles";
import { formatDate } from "../lib/time";
import { useLoad } from "../lib/useLoad";
import { ActionButton } from "./ActionButton";
import { changedOnly, ItemForm, type FieldSpec } from "./ItemForm";
import { ItemTable } from "./ItemTable";
import { useItemForm } from "./useItemForm";

type Person = components["schemas"]["ResponsiblePersonRead"];

/** Responsible persons (§21): the unit's security staff keep them. */
export function PersonsTab({ uscc }: { uscc: string }) {
  const { t, label } = useI18n();
  const api = useApi();
  const { roles } = useSession();
  const keep = can(roles, "keepDossier");
  const persons = useLoad(() => api.GET("/api/v1/units/{uscc}/responsible-persons", { params: { path: { uscc } } }), [api, uscc]);
  const form = useItemForm<Person>();
  const fields = useMemo<FieldSpec[]>(
    () => [
      {
        name: "role",
        label: "dossier.role",
        kind: "select",
        required: true,
        options: ["first_responsible", "co_responsible"].map((value) => ({ value, label: label("responsible_role", value) })),
      },
      { name: "name", label: "dossier.personName", required: true, max: 50 },
      { name: "position", label: "dossier.position", max: 100 },
      { name: "phone", label: "dossier.phone", max: 20 },
      { name: "appointed_on", label: "dossier.appointedOn", kind: "date" },
      { name: "responsibilities", label: "dossier.responsibilities", kind: "textarea", max: 2000 },
    ],
    [label],
  );
  const person = form.item;
  return (
    <>
      <ItemTable<Person>
        loaded={persons}
        toolbar={keep && <Button type="primary" onClick={form.openNew}>{t("persons.add")}</Button>}
        columns={[
          { title: t("dossier.role"), dataIndex: "role", render: (v: string) => label("responsible_role", v) },
          { title: t("dossier.personName"), dataIndex: "name" },
          { title: t("dossier.position"), dataIndex: "position" },
          { title: t("dossier.phone"), dataIndex: "phone", render: (v: string | null) => maskPhone(v) },
          { title: t("dossier.appointedOn"), dataIndex: "appointed_on", render: formatDate },
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
                      api.DELETE("/api/v1/units/{uscc}/responsible-persons/{person_id}", {
                        params: { path: { uscc, person_id: item.id }, header: { "If-Match": `"${item.version}"` } },
                      })
                    }
                    onDone={persons.reload}
                  >
                    {t("form.delete")}
                  </ActionButton>
                </>
              )
            : undefined
        }
      />
      <ItemForm
        title={person ? t("persons.edit") : t("persons.add")}
        open={form.open}
        fields={fields}
        item={person}
        submit={(body) =>
          person
            ? api.PATCH("/api/v1/units/{uscc}/responsible-persons/{person_id}", {
                params: { path: { uscc, person_id: person.id }, header: { "If-Match": `"${person.version}"` } },
                body: changedOnly(fields, person, body) as components["schemas"]["ResponsiblePersonUpdate"],
              })
            : api.POST("/api/v1/units/{uscc}/responsible-persons", {
                params: { path: { uscc } },
                body: body as components["schemas"]["ResponsiblePersonCreate"],
              })
        }
        onClose={form.close}
        onDone={persons.reload}
      />
    </>
  );
}
