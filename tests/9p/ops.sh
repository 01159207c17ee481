# What a busybox user does on a 9p share, run in the guest from the share
# itself (tests/9p/share.test copies it to the share's top as ops.sh).
# Prints only what must be the same on QEMU and kwb: contents, sizes,
# modes, link counts, listings and error messages; never times or inodes.
B=/bin/busybox
$B mkdir -p /tmp/bb && $B --install -s /tmp/bb && PATH=/tmp/bb:$PATH
cd /mnt || exit 1
W=/mnt/w
lsl() { ls -ln "$@" | awk '{ n = $1 " " $2 " " $3 " " $4 " " $5; for (i = 9; i <= NF; i++) n = n " " $i; print n }'; }
t() { echo "T: $*"; }
echo OPS-BEGIN
t read; cat hello.txt; md5sum big.bin | cut -d' ' -f1
t list; ls -1 | grep -v '^w$'
t ls-l; lsl hostdir
t symlink-read; readlink hostlink; cat hostlink; readlink abslink; cat abslink | head -1
mkdir $W && cd $W || exit 1
t mkdir; mkdir d1; mkdir -p d2/a/b/c; ls -1; mkdir d1 2>&1
t write; echo one > f; echo two >> f; cat f; printf 'x%.0s' $(seq 1 5000) > g; wc -c < g
t dd-large; dd if=/mnt/big.bin of=copy.bin bs=65536 2>/dev/null; md5sum copy.bin | cut -d' ' -f1
dd if=/dev/zero of=zero.bin bs=1M count=2 2>/dev/null; md5sum zero.bin | cut -d' ' -f1; stat -c '%s' zero.bin
t sparse-4g; dd if=/dev/zero of=sparse bs=1 count=1 seek=4294967296 2>/dev/null; stat -c '%s' sparse
dd if=sparse bs=1 skip=4294967296 count=1 2>/dev/null | od -An -tx1
t rename; mv f f2; cat f2; mv d1 d2/a/moved; ls -1 d2/a; echo keep > k; echo over > o; mv o k; cat k
mv d2 d2/a/b/c/into 2>&1
t hardlink; ln f2 h; stat -c '%h' f2 h; echo more >> h; cat f2
t symlink; ln -s f2 s; ln -s /init abs; ln -s nowhere dangling; for l in s abs dangling; do readlink $l; done
cat s; head -1 abs; cat dangling 2>&1; lsl s
t chmod; touch m; chmod 640 m; stat -c '%a %F' m; chmod 4755 m; stat -c '%a' m; chmod 700 d2; stat -c '%a %F' d2
t truncate; truncate -s 100 g; stat -c '%s' g; truncate -s 0 g; stat -c '%s' g; truncate -s 70000 g; stat -c '%s %b' g
t times; touch -t 202001020304.05 m; stat -c '%Y' m; touch -t 200102030405.06 d2; stat -c '%Y' d2
t chown; chown 1234:5678 m; stat -c '%u %g' m
t fifo; mkfifo p; stat -c '%F %a' p
t unlink; rm f2; cat h; rm -r d2; ls -1; rm d2 2>&1; rmdir nothere 2>&1
t rmdir; mkdir e; touch e/x; rmdir e 2>&1; rm e/x; rmdir e; ls -d e 2>&1
t open-unlinked; exec 3<h; rm h; cat <&3; exec 3<&-
t bigdir; mkdir many; i=0; while [ $i -lt 600 ]; do : > many/file-with-a-longish-name-$i; i=$((i+1)); done
ls many | wc -l; ls many | sort | md5sum | cut -d' ' -f1; ls /mnt/hostmany | wc -l; ls /mnt/hostmany | sort | md5sum | cut -d' ' -f1
rm -r many; ls -1
t cp-tree; cp -a /mnt/hostdir tree; find tree | sort; lsl tree
t errors; cat /mnt/nothere 2>&1; mkdir /mnt/hello.txt/x 2>&1; ls /mnt/hello.txt/ 2>&1; echo x > /mnt/hostdir 2>&1
t escape; ls /mnt/escape/ 2>&1; cat /mnt/escape/secret 2>&1; cat /mnt/relesc/secret 2>&1
echo pwned > /mnt/escape/new 2>&1; ln -s /tmp/c9-outside escape2; cat escape2/secret 2>&1; readlink escape2
mkdir -p /tmp/c9-outside; echo guest > /tmp/c9-outside/secret; cat /mnt/escape/secret 2>&1; cat escape2/secret
ls /mnt/../ | grep -c '^mnt$'; cat /mnt/hostdir/../../mnt/hello.txt
t statfs; df /mnt >/dev/null && echo df-ok
t final; lsl
echo OPS-END
