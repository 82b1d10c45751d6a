package dev.outflow.functions;

import dev.outflow.operators.delivery.ApacheHttpTransport;

import org.junit.jupiter.api.Test;

import java.util.List;

class FunctionInstanceSmokeTest {
    @Test
    void smoke() throws Exception {
        try (LocalHttpServer server = new LocalHttpServer();
                ApacheHttpTransport transport = new ApacheHttpTransport(4)) {
            String code = """
                async function onTrack(event, settings) {
                  console.log('hello', event.event, {a: 1});
                  const r = await fetch(settings.url + '?x=1', {method: 'post', headers: {Authorization: 'Bearer ' + settings.key}, body: JSON.stringify(event)});
                  const j = await r.json();
                  const u = new URL('https://a.example.com:8443/p/q?x=1&y=a+b#h');
                  await new Promise(res => setTimeout(res, 10));
                  return {status: r.status, j, host: u.host, y: u.searchParams.get('y'), b: btoa('hi'), h: crypto.createHash('md5').update('x').digest('hex'),
                    lodash: _.pick({a:1,b:2}, ['a']), m: moment.tz('2020-01-01T00:00:00Z', 'America/New_York').format(), u5: uuidv5('url', 'https://x'), x: xml({a: 'b'}),
                    rb: crypto.randomBytes(4).toString('hex').length, hm: crypto.createHmac('sha256', 'k').update('d').digest('base64')};
                }
                """;
            FunctionInstance instance = new FunctionInstance("t", "t.js", code,
                    "{\"url\":\"" + server.url("/in") + "\",\"key\":\"s3cr3t-value\"}", List.of("s3cr3t-value"),
                    transport, FunctionInstance.Limits.DEFAULTS);
            System.out.println("load: " + instance.loadError());
            for (int i = 0; i < 3; i++) {
                InvocationResult r = instance.invoke("track", "{\"type\":\"track\",\"event\":\"Hi\"}").get();
                System.out.println(r);
            }
            System.out.println(instance.invoke("identify", "{}").get());
            System.out.println(server.received);
            instance.close();
        }
    }
}
