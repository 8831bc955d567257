{{/*
Helpers shared by Neibao's charts. Most take a dict:
  root  the chart's top context ($)
  name  the component's name (kebab-case, e.g. "unit-registry-relay")
*/}}

{{/* <release>-<component>: a Kubernetes name within the 63-character limit. */}}
{{- define "neibao-lib.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The labels that select a component's pods; never change them on upgrade (selectors are immutable). */}}
{{- define "neibao-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* Every label of a component's objects: the selector's, plus what dashboards and policies group by. */}}
{{- define "neibao-lib.labels" -}}
{{ include "neibao-lib.selectorLabels" . }}
app.kubernetes.io/part-of: neibao
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{/* registry/neibao/<image>:<tag>; the tag defaults to the chart's appVersion (never `latest`: the schema refuses it). */}}
{{- define "neibao-lib.image" -}}
{{- $image := .root.Values.image -}}
{{- $repository := printf "neibao/%s" .image -}}
{{- with $image.registry }}{{ $repository = printf "%s/%s" (trimSuffix "/" .) $repository }}{{ end -}}
{{- printf "%s:%s" $repository ($image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{/* The pod's security context: non-root, seccomp RuntimeDefault (values.schema.json pins these). */}}
{{- define "neibao-lib.podSecurityContext" -}}
{{- toYaml .root.Values.podSecurityContext -}}
{{- end -}}

{{/* The container's security context: read-only root filesystem, no privilege, every capability dropped. */}}
{{- define "neibao-lib.securityContext" -}}
{{- toYaml .root.Values.securityContext -}}
{{- end -}}

{{/* Requests and limits; a container without limits is refused (here and by values.schema.json). */}}
{{- define "neibao-lib.resources" -}}
{{- $resources := .resources | default dict -}}
{{- $limits := required (printf "%s: resources.limits are required" .name) $resources.limits -}}
{{- $_ := required (printf "%s: resources.limits.memory is required" .name) $limits.memory -}}
{{- toYaml $resources -}}
{{- end -}}

{{/*
Probes for a server. kind "grpc": the gRPC health service (grpc.health.v1) on port; kind "http": the
gateway's /healthz (alive) and /readyz (ready to serve: its upstreams answer). The startup probe gives a
slow start (imports, key loading) time without making liveness lax.
*/}}
{{- define "neibao-lib.probes" -}}
{{- $handler := dict -}}
{{- $ready := dict -}}
{{- if eq .kind "grpc" -}}
{{- $handler = dict "grpc" (dict "port" .port) -}}
{{- $ready = $handler -}}
{{- else if eq .kind "http" -}}
{{- $handler = dict "httpGet" (dict "path" "/healthz" "port" .port) -}}
{{- $ready = dict "httpGet" (dict "path" "/readyz" "port" .port) -}}
{{- else -}}
{{- fail (printf "unknown probe kind %q" .kind) -}}
{{- end -}}
startupProbe:
  {{- toYaml $handler | nindent 2 }}
  periodSeconds: 2
  failureThreshold: 60
livenessProbe:
  {{- toYaml $handler | nindent 2 }}
  periodSeconds: 10
  timeoutSeconds: 2
  failureThreshold: 3
readinessProbe:
  {{- toYaml $ready | nindent 2 }}
  periodSeconds: 5
  timeoutSeconds: 2
  failureThreshold: 2
{{- end -}}
