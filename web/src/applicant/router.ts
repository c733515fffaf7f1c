import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { SessionHolder } from '@/api/client'
import HomePage from './pages/HomePage.vue'
import LoginPage from './pages/LoginPage.vue'
import RegisterPage from './pages/RegisterPage.vue'
import FederatedLoginPage from './pages/FederatedLoginPage.vue'
import ForgotPasswordPage from './pages/ForgotPasswordPage.vue'
import ResetPasswordPage from './pages/ResetPasswordPage.vue'
import ProfilePage from './pages/ProfilePage.vue'
import VerificationPage from './pages/VerificationPage.vue'
import ManualReviewPage from './pages/ManualReviewPage.vue'
import AccountPage from './pages/AccountPage.vue'
import ChangePasswordPage from './pages/ChangePasswordPage.vue'
import ChangePhonePage from './pages/ChangePhonePage.vue'
import ChangeEmailPage from './pages/ChangeEmailPage.vue'
import WechatBindingPage from './pages/WechatBindingPage.vue'
import CorrectionPage from './pages/CorrectionPage.vue'
import NotFoundPage from './pages/NotFoundPage.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** the nav bar's title */
    title?: string
    /** the page needs a logged-in applicant */
    auth?: boolean
  }
}

// Every page is in the app's one script (vite.config.ts): a first visit is two files, not forty.
const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomePage, meta: { title: '用户中心', auth: true } },
  { path: '/login', name: 'login', component: LoginPage, meta: { title: '登录' } },
  { path: '/register', name: 'register', component: RegisterPage, meta: { title: '注册' } },
  { path: '/federated-login', name: 'federated-login', component: FederatedLoginPage, meta: { title: '教育部账号登录' } },
  { path: '/forgot-password', name: 'forgot-password', component: ForgotPasswordPage, meta: { title: '找回密码' } },
  { path: '/reset-password', name: 'reset-password', component: ResetPasswordPage, meta: { title: '设置新密码' } },
  { path: '/profile', name: 'profile', component: ProfilePage, meta: { title: '完善个人信息', auth: true } },
  { path: '/verification', name: 'verification', component: VerificationPage, meta: { title: '实名核验', auth: true } },
  { path: '/manual-review', name: 'manual-review', component: ManualReviewPage, meta: { title: '人工审核', auth: true } },
  { path: '/account', name: 'account', component: AccountPage, meta: { title: '账号信息', auth: true } },
  { path: '/account/password', name: 'change-password', component: ChangePasswordPage, meta: { title: '修改密码', auth: true } },
  { path: '/account/phone', name: 'change-phone', component: ChangePhonePage, meta: { title: '修改手机号', auth: true } },
  { path: '/account/email', name: 'change-email', component: ChangeEmailPage, meta: { title: '修改邮箱', auth: true } },
  { path: '/account/wechat', name: 'wechat-binding', component: WechatBindingPage, meta: { title: '微信绑定', auth: true } },
  { path: '/corrections', name: 'corrections', component: CorrectionPage, meta: { title: '账号申诉' } },
  { path: '/:rest(.*)*', name: 'not-found', component: NotFoundPage, meta: { title: '页面不存在' } },
]

export const router = createRouter({ history: createWebHistory(), routes })

const holder = new SessionHolder('jszg.applicant.session')

router.beforeEach((to) => {
  if (to.meta.auth && !holder.token) return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } }
  return true
})
