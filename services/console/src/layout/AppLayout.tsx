import { AlertOutlined, ApartmentOutlined, AuditOutlined, DashboardOutlined, DatabaseOutlined, GlobalOutlined, LogoutOutlined, TrophyOutlined, VideoCameraOutlined } from "@ant-design/icons";
import { Button, Layout, Menu, Space, Tag, Typography } from "antd";
import { Link, Outlet, useLocation } from "react-router";
import { useApi } from "../api/client";
import { useSession } from "../auth/AuthProvider";
import { useI18n } from "../i18n/LanguageProvider";
import type { MessageKey } from "../i18n/messages";
import { can, type Permission } from "../lib/roles";
import { useLoad } from "../lib/useLoad";

const { Header, Sider, Content } = Layout;

const ITEMS: { path: string; label: MessageKey; icon: React.ReactNode; permission: Permission }[] = [
  { path: "/", label: "nav.dashboard", icon: <DashboardOutlined />, permission: "viewDashboard" },
  { path: "/units", label: "nav.units", icon: <ApartmentOutlined />, permission: "viewUnits" },
  { path: "/devices", label: "nav.devices", icon: <VideoCameraOutlined />, permission: "viewDevices" },
  { path: "/alarms", label: "nav.alarms", icon: <AlertOutlined />, permission: "viewAlarms" },
  // Sector data exchange: the same readers as the figures (police, regulators, the province admin).
  { path: "/exchange", label: "nav.exchange", icon: <DatabaseOutlined />, permission: "viewUnitFigures" },
  { path: "/rankings", label: "nav.ranking", icon: <TrophyOutlined />, permission: "viewRankings" },
  { path: "/reviews", label: "nav.reviewQueue", icon: <AuditOutlined />, permission: "viewReviewQueue" },
];

/** The frame of every page: the menu the caller's roles allow, who is signed in, language, sign-out. */
export function AppLayout() {
  const { t, language, setLanguage } = useI18n();
  const session = useSession();
  const api = useApi();
  const location = useLocation();
  const me = useLoad(() => api.GET("/api/v1/me"), [api]);
  const items = ITEMS.filter((item) => can(session.roles, item.permission));
  const selected = items
    .map((item) => item.path)
    .filter((path) => (path === "/" ? location.pathname === "/" : location.pathname.startsWith(path)));

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <a href="#main" className="skip-link">
        {language === "en" ? "Skip to content" : "跳到正文"}
      </a>
      <Sider breakpoint="lg" collapsedWidth={64} theme="dark" width={208}>
        <div className="brand" aria-hidden>
          内保
        </div>
        <nav aria-label={language === "en" ? "Main menu" : "主菜单"}>
          <Menu
            theme="dark"
            mode="inline"
            selectedKeys={selected}
            items={items.map((item) => ({
              key: item.path,
              icon: item.icon,
              label: <Link to={item.path}>{t(item.label)}</Link>,
            }))}
          />
        </nav>
      </Sider>
      <Layout>
        <Header className="app-header">
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t("app.title")}
          </Typography.Title>
          <Space size="middle" wrap>
            <span data-testid="current-user">
              {session.username}
              {me.data?.jurisdiction?.name ? ` · ${me.data.jurisdiction.name}` : ""}
            </span>
            {session.roles
              .filter((role) => !role.startsWith("default-roles") && role !== "offline_access" && role !== "uma_authorization")
              .map((role) => (
                <Tag key={role} color="blue">
                  {role}
                </Tag>
              ))}
            <Button
              icon={<GlobalOutlined />}
              title={t("lang.label")}
              lang={language === "en" ? "zh-CN" : "en"}
              onClick={() => setLanguage(language === "en" ? "zh-CN" : "en")}
            >
              {t("lang.switch")}
            </Button>
            <Button icon={<LogoutOutlined />} onClick={() => void session.logout()}>
              {t("auth.logout")}
            </Button>
          </Space>
        </Header>
        <Content id="main" tabIndex={-1} className="app-content">
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}
