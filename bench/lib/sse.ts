// The `data:` events of a server-sent event stream (Berth's /build and the hub's progress stream),
// parsed as JSON, in order. Stop reading by breaking out of the loop: the stream is then cancelled.
export async function* sseEvents<T>(body: ReadableStream<Uint8Array>): AsyncGenerator<T> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line.startsWith("data:")) yield JSON.parse(line.slice(5)) as T;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
