// Preloaded into a measured server (`node --expose-gc --import ./bench/lib/memory-probe.js …`):
// on the message "memory" over the IPC channel, collects garbage and answers process.memoryUsage().
process.on('message', (message) => {
  if (message !== 'memory') return;
  globalThis.gc?.();
  globalThis.gc?.();
  process.send?.({ memory: process.memoryUsage() });
});
// The channel must not keep a server alive that was told to stop.
process.channel?.unref();
