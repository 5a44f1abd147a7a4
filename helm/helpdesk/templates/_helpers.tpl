{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "helpdesk.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every object name: "<release>-<chart>", or the release name when it already holds the chart name. */}}
{{- define "helpdesk.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "helpdesk.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Standard labels on every object. */}}
{{- define "helpdesk.labels" -}}
helm.sh/chart: {{ include "helpdesk.chart" . }}
{{ include "helpdesk.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: helpdesk
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "helpdesk.selectorLabels" -}}
app.kubernetes.io/name: {{ include "helpdesk.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one component: call with (dict "root" $ "component" "gateway"). */}}
{{- define "helpdesk.componentLabels" -}}
{{ include "helpdesk.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "helpdesk.componentSelectorLabels" -}}
{{ include "helpdesk.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
The five services and what each needs, so that every template loops over one list. values: the
values block; portVariable: the variable its HTTP port is read from; public: takes traffic from
outside the cluster; uses: the dependencies it connects to (drives secrets, env and egress).
*/}}
{{- define "helpdesk.services" -}}
gateway: { values: gateway, portVariable: GATEWAY_PORT, public: true, uses: [nats, redis, secretKey] }
ticket: { values: ticket, portVariable: TICKET_PORT, public: false, uses: [nats, redis, postgresql] }
notification: { values: notification, portVariable: NOTIFICATION_PORT, public: false, uses: [nats, redis, postgresql, smtp] }
realtime: { values: realtime, portVariable: REALTIME_PORT, public: true, uses: [nats, redis, secretKey] }
ai-proxy: { values: aiProxy, portVariable: AI_PROXY_PORT, public: false, uses: [nats, redis, aiProvider] }
{{- end }}

{{- define "helpdesk.image" -}}
{{- $image := .Values.image }}
{{- if $image.digest }}
{{- printf "%s/%s@%s" $image.registry $image.repository $image.digest }}
{{- else }}
{{- printf "%s/%s:%s" $image.registry $image.repository (default .Chart.AppVersion $image.tag) }}
{{- end }}
{{- end }}

{{- define "helpdesk.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "helpdesk.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Name of the Secret the chart creates from values (only the values not taken from existing Secrets). */}}
{{- define "helpdesk.secretName" -}}
{{- printf "%s-secrets" (include "helpdesk.fullname" .) }}
{{- end }}

{{/* secretKeyRef of the database password, or nothing when PostgreSQL needs none (trust). */}}
{{- define "helpdesk.dbPasswordRef" -}}
{{- if .Values.postgresql.existingSecret -}}
{ name: {{ .Values.postgresql.existingSecret | quote }}, key: {{ .Values.postgresql.existingSecretPasswordKey | quote }} }
{{- else if .Values.postgresql.password -}}
{ name: {{ include "helpdesk.secretName" . | quote }}, key: db-password }
{{- end }}
{{- end }}

{{/* The DB_* variables of the services: through the pooler when one is set (the jobs connect directly, migrationEnv). */}}
{{- define "helpdesk.databaseEnv" -}}
{{- $pooler := .Values.postgresql.pooler }}
- name: DB_HOST
  value: {{ $pooler.host | default .Values.postgresql.host | quote }}
- name: DB_PORT
  value: {{ ternary $pooler.port .Values.postgresql.port (not (empty $pooler.host)) | quote }}
- name: DB_NAME
  value: {{ .Values.postgresql.database | quote }}
- name: DB_USER
  value: {{ .Values.postgresql.user | quote }}
{{- with include "helpdesk.dbPasswordRef" . }}
- name: DB_PASSWORD
  valueFrom:
    secretKeyRef: {{ . }}
{{- end }}
{{- end }}

{{/* Pod-level settings shared by every pod of the chart. */}}
{{- define "helpdesk.podSecurity" -}}
automountServiceAccountToken: {{ .Values.automountServiceAccountToken }}
securityContext: {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end }}

{{/* Checksums of the configuration, so that pods restart when it changes. */}}
{{- define "helpdesk.configChecksums" -}}
checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}

{{/* Environment of the migration containers; the password comes from the hook Secret when given as a value. */}}
{{- define "helpdesk.migrationEnv" -}}
{{- $root := .root -}}
- name: NODE_ENV
  value: {{ $root.Values.config.nodeEnv | quote }}
- name: DB_HOST
  value: {{ $root.Values.postgresql.host | quote }}
- name: DB_PORT
  value: {{ $root.Values.postgresql.port | quote }}
- name: DB_NAME
  value: {{ $root.Values.postgresql.database | quote }}
- name: DB_USER
  value: {{ $root.Values.postgresql.user | quote }}
{{- if .passwordFromValues }}
- name: DB_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ printf "%s-migrations" (include "helpdesk.fullname" $root) | quote }}, key: db-password }
{{- else if $root.Values.postgresql.existingSecret }}
- name: DB_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ $root.Values.postgresql.existingSecret | quote }}, key: {{ $root.Values.postgresql.existingSecretPasswordKey | quote }} }
{{- end }}
{{- end }}

{{/*
V8's heap ceiling for a container: three quarters of its memory limit (Mi, Gi, M or G), leaving the
rest to buffers, native memory and the runtime. Without it, Node sizes the heap from the node's
memory, not the container's, and the kernel kills the pod before V8 collects.
*/}}
{{- define "helpdesk.heapMegabytes" -}}
{{- $limit := toString . -}}
{{- $mebibytes := 0 -}}
{{- if hasSuffix "Gi" $limit }}{{ $mebibytes = mul (trimSuffix "Gi" $limit | int) 1024 }}
{{- else if hasSuffix "Mi" $limit }}{{ $mebibytes = trimSuffix "Mi" $limit | int }}
{{- else if hasSuffix "G" $limit }}{{ $mebibytes = div (mul (trimSuffix "G" $limit | int) 1000000000) 1048576 }}
{{- else if hasSuffix "M" $limit }}{{ $mebibytes = div (mul (trimSuffix "M" $limit | int) 1000000) 1048576 }}
{{- else }}{{ fail (printf "memory limit %s: use Mi, Gi, M or G" $limit) }}
{{- end -}}
{{- div (mul $mebibytes 3) 4 -}}
{{- end }}
