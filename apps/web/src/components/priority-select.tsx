/** 优先级: high, normal or low. */
import type { Priority } from '@zpub/shared';
import { t } from '../i18n';

export function PrioritySelect(props: { id: string; label: string; value: Priority; onChange: (p: Priority) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} data-testid={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as Priority)}>
        <option value="high">{t.priority.high}</option>
        <option value="normal">{t.priority.normal}</option>
        <option value="low">{t.priority.low}</option>
      </select>
    </div>
  );
}
