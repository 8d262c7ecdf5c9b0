import { NavLink, Navigate, Route, Routes } from "react-router";
import { ExecutionsPage } from "./pages/ExecutionsPage";
import { ExecutionPage } from "./pages/ExecutionPage";
import { ExperimentsPage } from "./pages/ExperimentsPage";
import { RunsPage } from "./pages/RunsPage";
import { RunPage } from "./pages/RunPage";

export function App() {
  return (
    <div className="shell">
      <nav className="sidebar">
        <div className="brand">Slipstream</div>
        <NavLink to="/executions">Executions</NavLink>
        <NavLink to="/experiments">Experiments</NavLink>
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
          <Route path="*" element={<p className="error">No such page.</p>} />
        </Routes>
      </main>
    </div>
  );
}
