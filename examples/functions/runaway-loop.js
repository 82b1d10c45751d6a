// A bug that never yields: properties.loop spins forever. The runtime interrupts it at the time limit
// (a retryable timeout) and the same instance goes on serving the next event.
let served = 0;

async function onTrack(event) {
  if (event.properties && event.properties.loop) {
    while (true) { served = served; }
  }
  served++;
  return { served };
}
