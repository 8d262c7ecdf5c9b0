import { NavLink, Navigate, Route, Routes } from "react-router";
import { ExecutionsPage } from "./pages/ExecutionsPage";
import { ExecutionPage } from "./pages/ExecutionPage";
import { ExperimentsPage } from "./pages/ExperimentsPage";
import { RunsPage } from "./pages/RunsPage";
import { RunPage } from "./pages/RunPage";
import { ComparePage } from "./pages/ComparePage";
import { WorkflowsPage } from "./pages/WorkflowsPage";
import { WorkflowPage } from "./pages/WorkflowPage";
import { MonitorsPage } from "./pages/MonitorsPage";
import { MonitorPage } from "./pages/MonitorPage";
import { ModelsPage } from "./pages/ModelsPage";
import { ModelPage } from "./pages/ModelPage";
import { DeploymentsPage } from "./pages/DeploymentsPage";
import { DeploymentPage } from "./pages/DeploymentPage";
import { StudiesPage } from "./pages/StudiesPage";
import { StudyPage } from "./pages/StudyPage";
import { SchedulesPage } from "./pages/SchedulesPage";
import { SchedulePage } from "./pages/SchedulePage";

export function App() {
  return (
    <div className="shell">
      <nav className="sidebar">
        <div className="brand">Slipstream</div>
        <NavLink to="/executions">Executions</NavLink>
        <NavLink to="/workflows">Workflows</NavLink>
        <NavLink to="/experiments">Experiments</NavLink>
        <NavLink to="/models">Models</NavLink>
        <NavLink to="/studies">Studies</NavLink>
        <NavLink to="/deployments">Deployments</NavLink>
        <NavLink to="/schedules">Schedules</NavLink>
        <NavLink to="/monitors">Monitors</NavLink>
        <a href="/docs" className="muted">REST API ↗</a>
      </nav>
      <main className="content">
        <Routes>
          <Route path="/" element={<Navigate to="/executions" replace />} />
          <Route path="/executions" element={<ExecutionsPage />} />
          <Route path="/executions/:id" element={<ExecutionPage />} />
          <Route path="/experiments" element={<ExperimentsPage />} />
          <Route path="/experiments/:id" element={<RunsPage />} />
          <Route path="/runs/:id" element={<RunPage />} />
          <Route path="/compare" element={<ComparePage />} />
          <Route path="/workflows" element={<WorkflowsPage />} />
          <Route path="/workflows/:name" element={<WorkflowPage />} />
          <Route path="/schedules" element={<SchedulesPage />} />
          <Route path="/schedules/:name" element={<SchedulePage />} />
          <Route path="/monitors" element={<MonitorsPage />} />
          <Route path="/monitors/*" element={<MonitorPage />} />
          <Route path="/models" element={<ModelsPage />} />
          <Route path="/models/:name" element={<ModelPage />} />
          <Route path="/studies" element={<StudiesPage />} />
          <Route path="/studies/:name" element={<StudyPage />} />
          <Route path="/deployments" element={<DeploymentsPage />} />
          <Route path="/deployments/:name" element={<DeploymentPage />} />
          <Route path="*" element={<p className="error">No such page.</p>} />
        </Routes>
      </main>
    </div>
  );
}
