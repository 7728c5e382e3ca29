/**
 * 知乎发布设置 of one article: the column (chosen from the account's columns when its login check
 * has read them, else typed as an id), the cover, the creation statement and who may comment.
 */
import { COMMENT_PERMISSIONS, CREATION_STATEMENTS, type AccountView } from '@zpub/shared';
import { For, Show } from 'solid-js';
import { t } from '../i18n';
import type { OptionsForm } from '../lib/zhihu-options-form';
import { CoverField } from './cover-field';
import { FieldError } from './field-error';

interface Props {
  account: AccountView | undefined;
  value: OptionsForm;
  onChange: (patch: Partial<OptionsForm>) => void;
  errors: Record<string, string | undefined>;
}

function ColumnField(props: Props) {
  const columns = () => props.account?.columns;
  return (
    <div class="field">
      <Show
        when={columns()}
        fallback={
          <>
            <label for="compose-column-id">{t.options.columnId}</label>
            <input
              id="compose-column-id"
              data-testid="compose-column-id"
              placeholder={t.options.columnIdPlaceholder}
              value={props.value.column}
              onInput={(e) => props.onChange({ column: e.currentTarget.value })}
              aria-invalid={props.errors.column ? 'true' : undefined}
              aria-describedby="compose-column-hint"
            />
            <p class="muted small" id="compose-column-hint">
              {t.options.columnsUnknown}
            </p>
          </>
        }
      >
        {(list) => (
          <>
            <label for="compose-column">{t.options.column}</label>
            <select
              id="compose-column"
              data-testid="compose-column"
              value={props.value.column}
              disabled={list().length === 0}
              onChange={(e) => props.onChange({ column: e.currentTarget.value })}
              aria-invalid={props.errors.column ? 'true' : undefined}
            >
              <option value="" selected={props.value.column === ''}>
                {t.options.noColumn}
              </option>
              <For each={list()}>
                {(c) => (
                  <option value={c.id} selected={c.id === props.value.column}>
                    {c.title}
                  </option>
                )}
              </For>
            </select>
            <Show when={list().length === 0}>
              <p class="muted small">{t.options.noColumns}</p>
            </Show>
          </>
        )}
      </Show>
      <FieldError testid="compose-column-error" message={props.errors.column} />
    </div>
  );
}

/** A select over a fixed list of wire values, each shown by its name. */
function ChoiceSelect<T extends string>(props: { id: string; label: string; choices: readonly T[]; names: Record<T, string>; value: T; onChange: (value: T) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} data-testid={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as T)}>
        <For each={props.choices}>
          {(c) => (
            <option value={c} selected={c === props.value}>
              {props.names[c]}
            </option>
          )}
        </For>
      </select>
    </div>
  );
}

export function ZhihuOptionsFields(props: Props) {
  return (
    <fieldset class="zhihu-options" data-testid="compose-options">
      <legend>{t.options.title}</legend>
      <ColumnField account={props.account} value={props.value} onChange={props.onChange} errors={props.errors} />
      <CoverField value={props.value.cover} onChange={(cover) => props.onChange({ cover })} error={props.errors.cover} />
      <div class="field-row">
        <ChoiceSelect id="compose-statement" label={t.options.statement} choices={CREATION_STATEMENTS} names={t.options.statements} value={props.value.statement} onChange={(statement) => props.onChange({ statement })} />
        <ChoiceSelect
          id="compose-comment"
          label={t.options.commentPermission}
          choices={COMMENT_PERMISSIONS}
          names={t.options.comments}
          value={props.value.commentPermission}
          onChange={(commentPermission) => props.onChange({ commentPermission })}
        />
      </div>
      <FieldError message={props.errors.statement ?? props.errors.commentPermission} />
    </fieldset>
  );
}
