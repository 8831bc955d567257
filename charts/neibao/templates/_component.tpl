{{/*
One component as it renders: merged over .Values.defaults, with its names and ports (as YAML: fromYaml it).
Ports exist only for a server (process serve): grpcPort, httpPort, metricsPort.
*/}}
{{- define "neibao.component" -}}
{{- $root := .root -}}
{{- $c := mergeOverwrite (deepCopy $root.Values.defaults) (deepCopy .component) -}}
{{- $svc := required (printf "components.%s: no such service %q" .name .component.service) (get $root.Values.services .component.service) -}}
{{- $server := eq $c.process "serve" -}}
{{- $_ := set $c "name" .name -}}
{{- $_ := set $c "server" $server -}}
{{- $_ := set $c "fullname" (include "neibao-lib.fullname" (dict "root" $root "name" .name)) -}}
{{- if and $server (hasKey $svc "grpcPortOffset") -}}
{{- $_ := set $c "grpcPort" (add $root.Values.platform.grpcBasePort $svc.grpcPortOffset) -}}
{{- end -}}
{{- if and $server (hasKey $svc "httpPort") -}}
{{- $_ := set $c "httpPort" $svc.httpPort -}}
{{- end -}}
{{- if or $c.grpcPort $c.httpPort -}}
{{- $_ := set $c "metricsPort" ($svc.metricsPort | default (add $root.Values.platform.metricsBasePort ($svc.grpcPortOffset | default 0))) -}}
{{- end -}}
{{- toYaml $c -}}
{{- end -}}

{{/* The gateway's upstreams: every gRPC server by service name, {"unit-registry": "<release>-unit-registry:50051"}. */}}
{{- define "neibao.upstreams" -}}
{{- $upstreams := dict -}}
{{- range $name, $component := .Values.components -}}
{{- $svc := get $.Values.services $component.service -}}
{{- if and (eq $component.process "serve") (hasKey $svc "grpcPortOffset") (ne (toString $component.enabled) "false") -}}
{{- $host := include "neibao-lib.fullname" (dict "root" $ "name" $name) -}}
{{- $_ := set $upstreams $component.service (printf "%s:%d" $host (add $.Values.platform.grpcBasePort $svc.grpcPortOffset | int)) -}}
{{- end -}}
{{- end -}}
{{- toJson $upstreams -}}
{{- end -}}

{{/* Plain settings of a service's process (a ConfigMap's data; the migration Job's env). */}}
{{- define "neibao.settings" -}}
{{- $root := .root -}}
{{- $p := .svc.envPrefix -}}
{{- $platform := $root.Values.platform -}}
{{- $settings := dict
  "NEIBAO_KAFKA_BOOTSTRAP" $platform.kafkaBootstrap
  "NEIBAO_KEYCLOAK_URL" $platform.keycloakUrl
  "NEIBAO_KEYCLOAK_REALM" $platform.keycloakRealm
  (printf "%sLOG_LEVEL" $p) $platform.logLevel
  "PYTHONDONTWRITEBYTECODE" "1"
-}}
{{- with $platform.otlpEndpoint -}}
{{- $_ := set $settings (printf "%sOTLP_ENDPOINT" $p) . -}}
{{- /* The outbox relays (neibao_messaging.relay) read their exporter from NEIBAO_RELAY_*. */ -}}
{{- $_ := set $settings "NEIBAO_RELAY_OTLP_ENDPOINT" . -}}
{{- end -}}
{{- with .c.grpcPort }}{{ $_ := set $settings (printf "%sGRPC_PORT" $p) (toString .) }}{{ end -}}
{{- with .c.metricsPort }}{{ $_ := set $settings (printf "%sMETRICS_PORT" $p) (toString .) }}{{ end -}}
{{- with .c.httpPort -}}
{{- $_ := set $settings (printf "%sHTTP_PORT" $p) (toString .) -}}
{{- $_ := set $settings (printf "%sUPSTREAMS" $p) (include "neibao.upstreams" $root) -}}
{{- end -}}
{{- range $key, $value := .svc.config }}{{ $_ := set $settings (printf "%s%s" $p $key) (toString $value) }}{{ end -}}
{{- range $key, $value := .c.config }}{{ $_ := set $settings (printf "%s%s" $p $key) (toString $value) }}{{ end -}}
{{- toYaml $settings -}}
{{- end -}}

{{/* Variables from existing Secrets (never values): the database URL, the personal-data keys, the service's own. */}}
{{- define "neibao.secretEnv" -}}
{{- $p := .svc.envPrefix -}}
{{- with .svc.databaseSecret }}
- name: {{ $p }}DATABASE_URL
  valueFrom:
    secretKeyRef: {name: {{ .name | quote }}, key: {{ .key | quote }}}
{{- end }}
{{- if .svc.piiKeys }}
{{- range list "PII_KEYS" "PII_ACTIVE_KEY" "PII_INDEX_KEY" }}
- name: NEIBAO_{{ . }}
  valueFrom:
    secretKeyRef: {name: {{ $.root.Values.platform.piiKeysSecret | quote }}, key: {{ . }}}
{{- end }}
{{- end }}
{{- range $suffix, $ref := .svc.secretEnv }}
- name: {{ $p }}{{ $suffix }}
  valueFrom:
    secretKeyRef: {name: {{ $ref.name | quote }}, key: {{ $ref.key | quote }}}
{{- end }}
{{- end -}}

{{/* The pod spec parts every Neibao container shares: hardened context, writable /tmp only, no API token. */}}
{{- define "neibao.podCommon" -}}
automountServiceAccountToken: false
securityContext:
  {{- include "neibao-lib.podSecurityContext" (dict "root" .root) | nindent 2 }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
{{- end -}}
