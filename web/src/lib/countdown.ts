import { getCurrentInstance, onBeforeUnmount, ref } from 'vue'

/**
 * useCountdown is the wait before another code may be asked ("60 秒后重新获取"): wait counts
 * down by one a second to 0. Its timer stops with the component that uses it.
 */
export function useCountdown() {
  const wait = ref(0)
  let timer: ReturnType<typeof setInterval> | undefined

  function stop() {
    clearInterval(timer)
    timer = undefined
    wait.value = 0
  }

  function start(seconds: number) {
    clearInterval(timer)
    wait.value = seconds
    timer = setInterval(() => {
      wait.value -= 1
      if (wait.value <= 0) stop()
    }, 1000)
  }

  if (getCurrentInstance()) onBeforeUnmount(stop)
  return { wait, start, stop }
}
