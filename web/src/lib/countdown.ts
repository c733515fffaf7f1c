import { getCurrentScope, onScopeDispose, ref } from 'vue'

/**
 * useCountdown counts whole seconds down to zero, for "60 秒后重新获取" buttons: start(n) begins
 * (or restarts) it, left is what remains. Its timer stops with the component that made it.
 */
export function useCountdown() {
  const left = ref(0)
  let timer: ReturnType<typeof setInterval> | undefined

  function stop() {
    clearInterval(timer)
    timer = undefined
    left.value = 0
  }

  function start(seconds: number) {
    clearInterval(timer)
    left.value = Math.max(0, Math.ceil(seconds))
    if (left.value === 0) return
    timer = setInterval(() => {
      left.value -= 1
      if (left.value <= 0) stop()
    }, 1000)
  }

  if (getCurrentScope()) onScopeDispose(stop)
  return { left, start, stop }
}
