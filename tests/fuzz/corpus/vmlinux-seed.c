/*
 * The source of tests/fuzz/corpus/vmlinux/vmlinux-{aarch64,riscv64}: a tiny
 * "vmlinux" with the symbols and DWARF types kwb's Linux awareness reads.
 *   ARCH-linux-gnu-gcc -g -O1 -ffreestanding -nostdlib -fno-pic -static \
 *     -Wl,-z,max-page-size=4096 -Wl,-Ttext=BASE -Wl,-e,start_kernel -Wl,--build-id=none \
 *     -o vmlinux-ARCH vmlinux-seed.c && ARCH-linux-gnu-objcopy --remove-section=.comment vmlinux-ARCH
 * BASE: 0xffff800008000000 (aarch64), 0xffffffff80000000 (riscv64).
 */
struct list_head { struct list_head *next, *prev; };
struct cpu_context { unsigned long x19, fp, sp, pc; };
struct thread_struct { struct cpu_context cpu_context; unsigned long s[12]; };
struct task_struct { unsigned int __state; void *stack; int pid; int tgid; struct list_head tasks;
	union { int a; struct { int b, c; }; }; char comm[16]; struct thread_struct thread; struct task_struct *parent; };
enum system_states { SYSTEM_BOOTING, SYSTEM_SCHEDULING, SYSTEM_FREEING_INITMEM, SYSTEM_RUNNING };
enum system_states system_state = SYSTEM_RUNNING;
struct task_struct init_task = { .pid = 0, .comm = "swapper" };
const char linux_banner[] = "Linux version 6.1.0 (kwb fuzz seed)\n";
int __per_cpu_offset[4];
void start_kernel(void) { for (;;) ; }
void _stext(void) {}
