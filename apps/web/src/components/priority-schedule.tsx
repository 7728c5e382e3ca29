/** 优先级 and 定时发布 of one article. */
import type { Priority } from '@zpub/shared';
import { Show } from 'solid-js';
import { t } from '../i18n';
import { PrioritySelect } from './priority-select';
import { FieldError } from './field-error';

export function PrioritySchedule(props: { priority: Priority; onPriority: (p: Priority) => void; schedule: string; onSchedule: (local: string) => void; error?: string | undefined }) {
  return (
    <div class="field-row">
      <PrioritySelect id="compose-priority" label={t.compose.priority} value={props.priority} onChange={(p) => props.onPriority(p)} />
      <div class="field">
        <label for="compose-schedule">{t.compose.schedule}</label>
        <div class="row-inline">
          <input
            id="compose-schedule"
            data-testid="compose-schedule"
            type="datetime-local"
            value={props.schedule}
            onInput={(e) => props.onSchedule(e.currentTarget.value)}
            aria-invalid={props.error ? 'true' : undefined}
            aria-describedby="compose-schedule-hint"
          />
          <Show when={props.schedule !== ''}>
            <button type="button" class="link" onClick={() => props.onSchedule('')}>
              {t.compose.clearSchedule}
            </button>
          </Show>
        </div>
        <p class="muted small" id="compose-schedule-hint">
          {t.compose.scheduleHint}
        </p>
        <FieldError testid="compose-schedule-error" message={props.error} />
      </div>
    </div>
  );
}
