/**
 * 知乎发布设置 of one article: the column (chosen from the account's columns when its login check
 * has read them, else typed as an id), the cover, the creation statement and who may comment.
 */
import { COMMENT_PERMISSIONS, CREATION_STATEMENTS, type AccountView, type CommentPermission, type CreationStatement } from '@zpub/shared';
import { For, Show } from 'solid-js';
import { t } from '../i18n';
import type { OptionsForm } from '../lib/zhihu-options-form';
import { CoverField } from './cover-field';

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
      <Show when={props.errors.column}>
        <p class="field-error" data-testid="compose-column-error">
          {props.errors.column}
        </p>
      </Show>
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
        <div class="field">
          <label for="compose-statement">{t.options.statement}</label>
          <select
            id="compose-statement"
            data-testid="compose-statement"
            value={props.value.statement}
            onChange={(e) => props.onChange({ statement: e.currentTarget.value as CreationStatement })}
          >
            <For each={CREATION_STATEMENTS}>{(s) => <option value={s} selected={s === props.value.statement}>{t.options.statements[s]}</option>}</For>
          </select>
        </div>
        <div class="field">
          <label for="compose-comment">{t.options.commentPermission}</label>
          <select
            id="compose-comment"
            data-testid="compose-comment"
            value={props.value.commentPermission}
            onChange={(e) => props.onChange({ commentPermission: e.currentTarget.value as CommentPermission })}
          >
            <For each={COMMENT_PERMISSIONS}>{(c) => <option value={c} selected={c === props.value.commentPermission}>{t.options.comments[c]}</option>}</For>
          </select>
        </div>
      </div>
      <Show when={props.errors.statement || props.errors.commentPermission}>
        <p class="field-error">{props.errors.statement ?? props.errors.commentPermission}</p>
      </Show>
    </fieldset>
  );
}
