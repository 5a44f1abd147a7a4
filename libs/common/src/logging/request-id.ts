/** A caller-supplied request id is kept only if it is short and plain, so it cannot forge log lines. */
export function acceptedRequestId(value: string | string[] | undefined | null): string | undefined {
  const candidate = Array.isArray(value) ? value[0] : value;
  return candidate && /^[A-Za-z0-9._:-]{1,128}$/.test(candidate) ? candidate : undefined;
}
