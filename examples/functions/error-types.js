// Throws what properties.fail asks for, to show how each error is classified.
async function onTrack(event) {
  switch (event.properties.fail) {
    case 'unsupported': throw new EventNotSupported(`${event.event} is not handled`);
    case 'invalid': throw new InvalidEventPayload('email is missing');
    case 'validation': throw new ValidationError('email is malformed');
    case 'retry': throw new RetryError('the CRM is busy');
    case 'type': return event.properties.missing.field; // TypeError: a bug in the function
    case 'string': throw 'a thrown string';
    case 'hang': return new Promise(() => {}); // never settles: a timeout
    case 'after-timer': return new Promise((resolve, reject) => setTimeout(() => reject(new RetryError('later')), 10));
    default: return 'fine';
  }
}
// no onIdentify: identify events are unsupported
