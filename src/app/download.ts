/** Hands bytes or text to the browser as a downloaded file. */
export function save(data: Uint8Array | string, name: string, type: string): void {
  const part = typeof data === 'string' ? data : data.slice().buffer;
  const url = URL.createObjectURL(new Blob([part], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
