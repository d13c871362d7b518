import { act, cleanup, render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { ApiProvider } from '../../renderer/api/api-context.js';
import { bindConsole } from '../../renderer/state/bindings.js';
import { resetConsoleStore } from '../../renderer/state/store.js';
import type { FakeConsole } from './fake-api.js';

/**
 * jsdom has no layout: every element measures 0×0, so a virtualized list would show no rows.
 * Give elements a viewport-sized box, as a browser window would.
 */
export function stubLayout(height = 600, width = 800): void {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => height });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => width });
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => height });
  Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => width });
  // Scrolling without layout: keep the offset per element and fire `scroll`, as a browser does.
  const offsets = new WeakMap<Element, number>();
  Object.defineProperty(HTMLElement.prototype, 'scrollTop', {
    configurable: true,
    get(this: HTMLElement) {
      return offsets.get(this) ?? 0;
    },
    set(this: HTMLElement, v: number) {
      offsets.set(this, v);
    },
  });
  // A scroller is as tall as its content: virtual lists size their inner box explicitly.
  Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      const inner = this.firstElementChild as HTMLElement | null;
      return Math.max(height, Number.parseFloat(inner?.style.height ?? '') || 0);
    },
  });
  HTMLElement.prototype.scrollTo = function scrollTo(this: HTMLElement, opts?: ScrollToOptions | number) {
    const top = typeof opts === 'object' ? opts.top : undefined;
    if (typeof top === 'number') offsets.set(this, Math.max(0, top));
    this.dispatchEvent(new Event('scroll'));
  } as typeof HTMLElement.prototype.scrollTo;
  // CodeMirror measures text through ranges, which jsdom does not lay out.
  if (!Range.prototype.getClientRects) Range.prototype.getClientRects = () => [] as unknown as DOMRectList;
  Range.prototype.getBoundingClientRect = () => ({ x: 0, y: 0, width: 0, height: 0, top: 0, left: 0, right: 0, bottom: 0, toJSON: () => ({}) });
  Range.prototype.getClientRects = () => ({ length: 0, item: () => null, [Symbol.iterator]: [][Symbol.iterator] }) as unknown as DOMRectList;
}

/** Lets pending promises (fake API answers) settle inside act(). */
export async function flush(times = 3): Promise<void> {
  for (let i = 0; i < times; i++) await act(async () => {});
}

/** Resets the store, binds it to the fake, renders `ui` inside the API provider and waits for the first loads. */
export async function renderWith(fake: FakeConsole, ui: ReactElement): Promise<RenderResult & { unbind: () => void }> {
  resetConsoleStore();
  const unbind = bindConsole(fake.api);
  const result = render(<ApiProvider api={fake.api}>{ui}</ApiProvider>);
  await flush();
  return { ...result, unbind };
}

/** Unmounts everything and resets the store between tests. */
export function teardown(): void {
  cleanup();
  resetConsoleStore();
}
