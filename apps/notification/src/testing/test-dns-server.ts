import dns2 from 'dns2';

const { Packet } = dns2;

export interface TestDnsServer {
  /** Where a dns.Resolver should ask: `127.0.0.1:<port>`. */
  readonly address: string;
  /** Names asked for A records, in order. */
  readonly queries: string[];
  close(): Promise<void>;
}

/**
 * A DNS server on 127.0.0.1 (dns2, UDP) answering A queries with `answer(name, n)`, n counting that
 * name's queries from 0, so a test can change the answer between two lookups. AAAA queries get no answer.
 */
export async function startTestDnsServer(answer: (name: string, queryIndex: number) => string[]): Promise<TestDnsServer> {
  const queries: string[] = [];
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      for (const question of request.questions) {
        if (question.type !== Packet.TYPE.A) continue;
        const name = question.name.toLowerCase();
        const index = queries.filter((queried) => queried === name).length;
        queries.push(name);
        for (const address of answer(name, index)) response.answers.push(Packet.createResourceFromQuestion(question, { ttl: 0, address }));
      }
      send(response);
    },
  });
  await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const { port } = server.addresses().udp!;
  return { address: `127.0.0.1:${port}`, queries, close: () => server.close() };
}
