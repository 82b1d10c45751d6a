// Forwards track and identify calls to a CRM's HTTP API, as a typical Segment destination function does.
// Settings: apiUrl (plain), apiKey (encrypted). Uses fetch, Headers, btoa, console and Segment's error classes.

async function send(path, body, settings) {
  const headers = new Headers({ 'Content-Type': 'application/json' });
  headers.set('Authorization', 'Basic ' + btoa(settings.apiKey + ':'));
  let response;
  try {
    response = await fetch(settings.apiUrl + path, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (error) {
    // network errors are worth another try
    throw new RetryError(error.message);
  }
  if (response.status >= 500 || response.status === 429) {
    throw new RetryError(`CRM answered ${response.status}`);
  }
  if (response.status === 400) {
    const problem = await response.json();
    throw new ValidationError(problem.error || 'rejected by the CRM');
  }
  console.log(`sent ${body.type} for ${body.userId} with key ${settings.apiKey}`);
  return response.json();
}

async function onTrack(event, settings) {
  if (!event.userId) {
    throw new InvalidEventPayload('userId is required');
  }
  return send('/events', { type: 'event', messageId: event.messageId, userId: event.userId, name: event.event, props: event.properties || {} }, settings);
}

async function onIdentify(event, settings) {
  return send('/contacts', { type: 'contact', messageId: event.messageId, userId: event.userId, traits: event.traits || {} }, settings);
}
