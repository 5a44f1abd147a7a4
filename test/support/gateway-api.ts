/** A JSON call to a gateway's REST API (`<url>/api/v1<path>`), as the cross-service tests make them: status and parsed body. */
export function gatewayApi(gatewayUrl: () => string) {
  return async function api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
    const response = await fetch(`${gatewayUrl()}/api/v1${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}
