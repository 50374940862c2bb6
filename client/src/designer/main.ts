/** The designer console page (designer.html): wires the session gate, the tabs and their panels. */
import '../styles.css';
import './designer.css';
import { byId } from '../dom.js';
import { onAuthFailure } from './api.js';
import { DryRunPanel } from './dryRun.js';
import { RuleEditor } from './editor.js';
import { LiveRoomsPanel } from './liveRooms.js';
import { ModelsPanel } from './models.js';
import { OutcomesPanel } from './outcomes.js';
import { renderReference } from './reference.js';
import { SessionGate } from '../console/sessionGate.js';
import { Tabs } from './tabs.js';
import { VersionsPanel } from './versions.js';

const editor = new RuleEditor(() => void versions.refresh());
const dryRun = new DryRunPanel(() => editor.lastPublished);
const versions = new VersionsPanel({
  editorText: () => editor.text,
  editorDirty: () => editor.dirty,
  load: (detail) => {
    editor.load(detail);
    tabs.show('rules');
  },
  listed: (list) => {
    editor.setLiveVersion(list.find((v) => v.live)?.version ?? null);
    dryRun.setVersions(list);
  },
});
const tabs = new Tabs(byId('console-view', HTMLDivElement), {
  rules: editor, versions, 'dry-run': dryRun, live: new LiveRoomsPanel(), outcomes: new OutcomesPanel(), models: new ModelsPanel(),
});
renderReference(byId('rules-reference', HTMLElement));

const gate = new SessionGate({
  open: () => {
    // Signing in again after the session ran out must not throw away unpublished edits.
    if (!editor.dirty) void editor.loadLive();
    void versions.refresh();
    tabs.open();
  },
  close: () => tabs.close(),
}, { name: 'designer console', roles: ['designer', 'admin'] });
onAuthFailure((status, message) => (status === 401 ? gate.expired() : gate.refused(message)));
void gate.start();
