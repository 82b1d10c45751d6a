// onBatch with per-event statuses: events whose properties.status is set answer with it, others succeed.
// Only the retryable ones (5xx, 429) are tried again.
async function onBatch(events, settings) {
  console.log(`batch of ${events.length}`);
  return events.map((event) => {
    const status = (event.properties && event.properties.status) || 200;
    return status >= 300 ? { status, errormessage: `failed with ${status}` } : { status };
  });
}

async function onTrack(event) {
  return 'single ' + event.messageId;
}
