// Uses every global Segment's runtime provides; the test checks each value against what Node would give.
async function onTrack(event, settings) {
  const url = new URL('/v1/items?b=2&a=1', settings.base);
  url.searchParams.append('q', 'a b&c');
  const params = new URLSearchParams({ x: '1', y: 'two words' });

  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const cancelled = setTimeout(() => { throw new Error('should have been cleared'); }, 5);
  clearTimeout(cancelled);

  const request = new Request('https://example.com/r', { method: 'put', headers: { 'X-A': '1' }, body: 'hi' });
  const response = new Response('{"n":1}', { status: 201, headers: { 'Content-Type': 'application/json' } });
  const headers = new Headers([['A', '1'], ['a', '2']]);

  console.log('tour', event.event, { n: 1 });
  console.warn('careful');

  return {
    url: url.href,
    host: url.host,
    params: params.toString(),
    waitedAtLeast20ms: Date.now() - started >= 20,
    request: [request.method, request.url, request.headers.get('x-a'), await request.text()],
    response: [response.status, response.ok, response.headers.get('content-type'), (await response.json()).n],
    headers: headers.get('a'),
    base64: [btoa('outflow'), atob('b3V0Zmxvdw==')],
    md5: crypto.createHash('md5').update('outflow').digest('hex'),
    sha256: crypto.createHash('sha256').update('out').update('flow').digest('base64'),
    hmac: crypto.createHmac('sha1', 'key').update('outflow').digest('hex'),
    randomBytes: crypto.randomBytes(16).length,
    uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()),
    lodash: _.chain([3, 1, 2]).sortBy().map((n) => n * 10).value(),
    moment: moment.tz('2024-03-10T12:00:00Z', 'Europe/Paris').format('YYYY-MM-DD HH:mm Z'),
    uuidv5: uuidv5('url', 'https://outflow.dev'),
    xml: xml({ event: [{ _attr: { name: event.event } }, 'hello'] }),
    buffer: Buffer.from('outflow').toString('base64'),
    errors: [new RetryError('r').name, new EventNotSupported('e') instanceof Error],
  };
}
