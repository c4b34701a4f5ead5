import { Handle, type Node, type NodeProps, Position, useConnection } from '@xyflow/react';
import { memo } from 'react';
import type { Stage } from '../api/types.ts';
import { useFixedT } from '../i18n/useFixedT.ts';
import { type DurationUnit, shortDuration } from './durations.ts';
import type { StageHeat } from './heat.ts';
import { ClockIcon, EventTypeIcon, LockIcon, PersonIcon, SpawnIcon, TaskIcon } from './icons.tsx';
import { NODE_HEIGHT, NODE_WIDTH } from './layout.ts';
import { StageHeatLine, stageHeatStyle } from './StageHeatLine.tsx';
import { useStageName } from './stage-names.ts';

/**
 * How a stage is drawn: with a problem, as the current one, as visited, quieter (`dimmed`: the
 * process card, where something was visited but not this one), and whether it can be edited.
 */
type StageLook = Readonly<Record<'invalid' | 'current' | 'visited' | 'dimmed' | 'editable', boolean>>;

export interface StageNodeData extends StageLook, Record<string, unknown> {
  /** The stage; its name as shown comes from the chart's `StageNames` (this one may be older). */
  readonly stage: Stage;
  /** The id of the shown name, which names the stage's box (its aria-labelledby). */
  readonly nameId?: string | undefined;
  /** Under the name of the current stage: "Waiting until …" or "Paused until …". */
  readonly note?: string | undefined;
  /** The bottleneck overlay's colour and figures, while it is on. */
  readonly heat?: StageHeat | undefined;
}

export type StageNodeType = Node<StageNodeData, 'stage'>;

/** While a connection is being drawn: the stage it started from, else null. */
const connectingFrom = (c: { inProgress: boolean; fromNode?: { id: string } | null }) =>
  c.inProgress ? (c.fromNode?.id ?? null) : null;

/** Where transitions arrive (left) or leave (right); connectable only while editing. */
function Port({ side, editable, label }: { side: 'in' | 'out'; editable: boolean; label: string }) {
  return (
    <Handle
      type={side === 'in' ? 'target' : 'source'}
      id={side}
      position={side === 'in' ? Position.Left : Position.Right}
      isConnectable={editable}
      aria-label={label}
    />
  );
}

/**
 * One stage on the flowchart: its name (as text), its kind, and small marks for what happens on
 * entering it. While a connection is being drawn, the whole stage becomes a drop target.
 */
function StageNodeView({ id, data, selected }: NodeProps<StageNodeType>) {
  // A large chart mounts stages by the hundred as they scroll into view: the light translate hook.
  const t = useFixedT('designer');
  const unitLabel = (unit: DurationUnit) => t(`duration.short.${unit}`);
  const from = useConnection(connectingFrom);
  const { stage } = data;
  const name = useStageName(id);
  const classes = [
    'stage-node',
    `kind-${stage.kind}`,
    data.invalid ? 'invalid' : '',
    data.current ? 'current' : '',
    data.visited ? 'visited' : '',
    data.dimmed ? 'dimmed' : '',
    selected ? 'selected' : '',
    data.heat ? 'heat' : '',
    data.heat && !data.heat.fill ? 'no-data' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const responsibles = stage.responsibles?.length ?? 0;
  return (
    <div className={classes} style={{ width: NODE_WIDTH, height: NODE_HEIGHT, ...stageHeatStyle(data.heat) }}>
      <Port side="in" editable={data.editable} label={t('flow.handleIn')} />
      {data.editable && from !== null && from !== id && (
        <Handle type="target" id="drop" position={Position.Left} className="stage-drop-target" />
      )}
      <div className="stage-node-head">
        <span
          className="stage-node-kind"
          role="img"
          aria-label={t(`kind.${stage.kind}`)}
          title={t(`kind.${stage.kind}`)}
        />
        <span className="stage-node-name" id={data.nameId} title={name}>
          {name.trim() === '' ? t('unnamedStage') : name}
        </span>
        {data.invalid && (
          <span
            className="stage-node-error"
            role="img"
            aria-label={t('flow.hasProblems')}
            title={t('flow.hasProblems')}
          >
            !
          </span>
        )}
      </div>
      {data.note && (
        <div className="stage-node-note" data-testid="stage-node-note">
          {data.note}
        </div>
      )}
      <div className="stage-node-marks">
        {responsibles > 0 && (
          <span
            role="img"
            aria-label={t('flow.responsibles', { count: responsibles })}
            title={t('flow.responsibles', { count: responsibles })}
          >
            <PersonIcon />
            {responsibles}
          </span>
        )}
        {stage.wait !== undefined && (
          <span
            className="mark-wait"
            role="img"
            aria-label={t('flow.waits', { duration: shortDuration(stage.wait, unitLabel) })}
            title={t('flow.waits', { duration: shortDuration(stage.wait, unitLabel) })}
          >
            <ClockIcon />
            {shortDuration(stage.wait, unitLabel)}
          </span>
        )}
        {stage.task && (
          <span
            role="img"
            aria-label={t(stage.task.blocking ? 'flow.blockingTask' : 'flow.task', {
              title: stage.task.title,
            })}
            title={t(stage.task.blocking ? 'flow.blockingTask' : 'flow.task', { title: stage.task.title })}
          >
            <TaskIcon />
            {stage.task.blocking && <LockIcon />}
          </span>
        )}
        {stage.event && (
          <span
            role="img"
            aria-label={t('flow.event', {
              type: t(`eventType.${stage.event.type}`, { defaultValue: stage.event.type }),
            })}
            title={t('flow.event', {
              type: t(`eventType.${stage.event.type}`, { defaultValue: stage.event.type }),
            })}
          >
            <EventTypeIcon type={stage.event.type} />
          </span>
        )}
        {(stage.spawn?.length ?? 0) > 0 && (
          <span
            role="img"
            aria-label={t('flow.spawns', { count: stage.spawn?.length ?? 0 })}
            title={t('flow.spawns', { count: stage.spawn?.length ?? 0 })}
          >
            <SpawnIcon />
            {stage.spawn?.length}
          </span>
        )}
      </div>
      {data.heat && <StageHeatLine heat={data.heat} />}
      <Port side="out" editable={data.editable} label={t('flow.handleOut')} />
    </div>
  );
}

export const StageNode = memo(StageNodeView);
