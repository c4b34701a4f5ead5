import { type DragEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { processPaths } from '../../api/processes.ts';
import type { ProcessCard } from '../../api/types.ts';
import { formatBytes, formatDateTime } from '../../i18n/format.ts';
import { ListTable } from '../../ui/ListTable.tsx';
import { Alert, Empty } from '../../ui/States.tsx';
import { apiErrorText } from '../apiErrorText.ts';
import type { CardData } from '../ProcessCardPage.tsx';
import { useCardAction } from '../useCardAction.ts';

type Attachment = ProcessCard['attachments'][number];

/** Attached files: download, upload (button or drag-and-drop), delete. */
export function FilesTab({ data }: { data: CardData }) {
  const { t } = useTranslation('card');
  const { card: c, canEdit } = data;
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [uploading, setUploading] = useState<string[]>([]);
  const [confirming, setConfirming] = useState<string | null>(null);
  const base = `${processPaths.one(c.id)}/attachments`;
  const upload = useCardAction(c.id, async (files: File[]) => {
    setUploading(files.map((f) => f.name));
    try {
      // One by one: each is its own request, and a failure names the file it was.
      for (const file of files) await api.upload(base, file);
    } finally {
      setUploading([]);
    }
  });
  const remove = useCardAction(c.id, (attachment: Attachment) =>
    api.delete(`${base}/${encodeURIComponent(attachment.id)}`),
  );

  function send(list: FileList | null) {
    const files = list ? [...list] : [];
    if (files.length > 0 && canEdit) upload.mutate(files);
  }

  const dropProps = canEdit
    ? {
        onDragOver: (e: DragEvent) => {
          if (!e.dataTransfer.types.includes('Files')) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setDragging(true);
        },
        onDragLeave: (e: DragEvent) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
        },
        onDrop: (e: DragEvent) => {
          e.preventDefault();
          setDragging(false);
          send(e.dataTransfer.files);
        },
      }
    : {};

  return (
    <div className={`drop-area${dragging ? ' dragging' : ''}`} data-testid="drop-area" {...dropProps}>
      {c.attachments.length === 0 ? (
        <Empty>{canEdit ? t('files.emptyEdit') : t('files.empty')}</Empty>
      ) : (
        <ListTable
          className="grid"
          columns={[t('files.name'), t('files.size'), t('files.added')]}
          actions={canEdit ? t('files.actions') : undefined}
        >
          {c.attachments.map((a) => (
            <tr key={a.id} data-testid="attachment-row">
              <td>
                <a
                  href={`${base}/${encodeURIComponent(a.id)}`}
                  download={a.name}
                  data-testid="attachment-link"
                >
                  {a.name}
                </a>
              </td>
              <td>{formatBytes(a.size)}</td>
              <td>{formatDateTime(a.createdAt)}</td>
              {canEdit && (
                <td className="actions-cell">
                  {confirming === a.id ? (
                    <span className="row">
                      <span>{t('files.confirmDelete')}</span>
                      <button
                        type="button"
                        className="danger"
                        data-testid="attachment-delete-confirm"
                        disabled={remove.isPending}
                        onClick={() => remove.mutate(a, { onSettled: () => setConfirming(null) })}
                      >
                        {t('common:delete')}
                      </button>
                      <button type="button" onClick={() => setConfirming(null)}>
                        {t('common:cancel')}
                      </button>
                    </span>
                  ) : (
                    <button
                      type="button"
                      className="link danger"
                      data-testid="attachment-delete"
                      aria-label={t('files.deleteNamed', { name: a.name })}
                      onClick={() => setConfirming(a.id)}
                    >
                      {t('common:delete')}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </ListTable>
      )}
      {canEdit && (
        <div className="row drop-hint">
          <input
            ref={input}
            type="file"
            multiple
            hidden
            data-testid="file-input"
            onChange={(e) => {
              send(e.target.files);
              e.target.value = '';
            }}
          />
          <button
            type="button"
            data-testid="upload-button"
            disabled={upload.isPending}
            onClick={() => input.current?.click()}
          >
            {t('files.upload')}
          </button>
          <span className="muted">{t('files.dropHint')}</span>
          {uploading.length > 0 && (
            <span role="status" className="muted">
              {t('files.uploading', { names: uploading.join(', ') })}
            </span>
          )}
        </div>
      )}
      <Alert message={(upload.isError || remove.isError) && apiErrorText(t, upload.error ?? remove.error)} />
    </div>
  );
}
