import type { Stage, TaskStatus } from '@zpub/shared';
import { t } from '../i18n';

/** The progress of a task (0-100) with its stage in words; `label` names the bar for screen readers. */
export function ProgressBar(props: { progress: number; stage: Stage; status: TaskStatus; label: string; showStage?: boolean }) {
  const value = () => Math.max(0, Math.min(100, Math.round(props.progress)));
  return (
    <div class="progress-wrap">
      <div
        class={`progress progress-${props.status}`}
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value()}
        aria-valuetext={`${value()}% ${t.stage[props.stage]}`}
        data-testid="task-progress"
        data-progress={value()}
      >
        <div class="progress-fill" style={{ width: `${value()}%` }} />
      </div>
      {props.showStage === false ? null : (
        <span class="stage" data-testid="task-stage" data-stage={props.stage}>
          {t.stage[props.stage]}
        </span>
      )}
    </div>
  );
}
