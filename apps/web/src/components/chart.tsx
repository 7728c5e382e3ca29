/** A uPlot chart that follows its data and its container's width (loaded with the stats page). */
import { createEffect, on, onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function Chart(props: {
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height?: number;
  label: string;
  testid?: string;
}) {
  let box: HTMLDivElement | undefined;
  let plot: uPlot | undefined;

  onMount(() => {
    const el = box;
    if (!el) return;
    const height = props.height ?? 240;
    plot = new uPlot({ ...props.options, width: Math.max(280, el.clientWidth), height }, props.data, el);
    const observer = new ResizeObserver(() => plot?.setSize({ width: Math.max(280, el.clientWidth), height }));
    observer.observe(el);
    onCleanup(() => {
      observer.disconnect();
      plot?.destroy();
      plot = undefined;
    });
  });

  createEffect(
    on(
      () => props.data,
      (data) => plot?.setData(data),
      { defer: true },
    ),
  );

  return <div ref={box} class="chart" role="img" aria-label={props.label} data-testid={props.testid} />;
}
