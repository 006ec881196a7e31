import Foundation

/// sgemm of our own on a 12x32 register tile of 512-bit registers (the shape of
/// BLIS's SkylakeX kernel, and of `FusedAttentionKernel`'s), in BLIS's loop
/// order: column blocks of B, depth blocks, row blocks of A; B's block packed
/// into 32-column panels that stay in L2, A's into 12-row panels that stay in L1
/// while the panels of B stream past; alpha folded into the packing of A.
///
/// Why: OpenBLAS's kernel is the one its core type names, and with
/// `OPENBLAS_CORETYPE=Haswell` on an AVX-512 machine that is its AVX2 kernel at
/// half the vector width. Measured on a Sapphire Rapids Xeon, one thread,
/// alternating runs: 1.13-1.37x OpenBLAS's Haswell kernel, 0.95-1.0x its SkylakeX
/// kernel; on two threads a 2048³ product 175 -> 101-109 ms against Haswell's.
/// So it runs every product where OpenBLAS's core lacks AVX-512, and the products the whole team runs
/// together (`TeamPackedGemm`) where it has it (`mode`); AVX-512 builds only.
enum PackedGemm {
    static let tileRows = 12
    static let tileColumns = 32
    /// Deepest block: a 12-row panel of A (24 KB) stays in L1 while B's panels stream past. A deeper
    /// product is cut into equal blocks (k = 320 is one block, not 256 + 64: every block reads and writes C).
    /// 512 rather than 384: 2048³ in four depth blocks, not six, so C is read and written a third less
    /// (five alternating runs of 2048³ on two threads: 74.8-78.3 -> 73.2-75.1 ms with `blockFloats` below).
    static let depthBlock = 512
    /// Rows of A packed at a time (a multiple of `tileRows`).
    static let rowBlock = 480
    /// B's packed block stays within this many floats (2.5 MB: a panel is read from L2 and the rest of the
    /// block streams in behind it): its columns are cut into equal blocks under it, so 1280 columns at depth 320
    /// are one block (A is packed once per column block) and 2048 at depth 516 two of 1024.
    /// (Variable so the tests can make blocks small enough to cross at test sizes.)
    nonisolated(unsafe) static var blockFloats = 640 * 1024
    /// Shallower products go to OpenBLAS: packing costs as much as the product there. From 8, not 16, since
    /// 9-deep products (the Winograd kernel transforms as they were, a 3x3 convolution of one channel) ran
    /// better here: OpenBLAS first clears C in a pass of its own (sgemm_beta, 5% of a training step's samples)
    /// and runs them on its AVX2 kernel.
    static let minimumDepth = 8

    /// OpenBLAS's x86-64 cores with AVX-512 sgemm kernels: where they run, OpenBLAS keeps the products.
    static let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

    /// Whether this build targets AVX-512 (Package.swift's `GLYPHPOSTER_AVX512`): SIMD16 is then one register.
    static let avx512Build: Bool = {
        #if GLYPHPOSTER_AVX512
        return true
        #else
        return false
        #endif
    }()

    /// Which products run on this kernel.
    enum Use: Equatable {
        /// None: OpenBLAS runs them all.
        case never
        /// Products the whole team runs together (`TeamPackedGemm`); OpenBLAS keeps the small ones, where its
        /// AVX-512 core has kernels that skip packing.
        case teamProducts
        /// Every product at least `minimumDepth` deep.
        case everyProduct
    }

    /// How this process uses the kernel (`use(...)`).
    static let mode: Use = {
        #if DEBUG
        let optimisedBuild = false
        #else
        let optimisedBuild = true
        #endif
        return use(avx512Build: avx512Build, optimisedBuild: optimisedBuild, openBLASCore: BLASCore.name,
                   environment: ProcessInfo.processInfo.environment)
    }()

    /// Whether every product runs here (`TeamGemm`'s default).
    static var engaged: Bool { mode == .everyProduct }

    /// Only on optimised AVX-512 builds (unoptimised, the SIMD kernel is far slower than any OpenBLAS kernel;
    /// the tests call it directly): every product where OpenBLAS runs a kernel without AVX-512, the team's
    /// products where its kernel has AVX-512 (measured, 2 threads, OpenBLAS SkylakeX: 2048³ 140-153 -> 117-126 ms,
    /// 4096x320 -> 1280 27-29 -> 24.5-27 ms: the team packs B once and balances its rows; OpenBLAS's halves
    /// cannot). `GLYPHPOSTER_GEMM=openblas` or `=packed` decides it on any AVX-512 build. Never on other builds:
    /// their SIMD16 is two AVX2 halves.
    static func use(avx512Build: Bool, optimisedBuild: Bool, openBLASCore: String, environment: [String: String]) -> Use {
        guard avx512Build else { return .never }
        switch environment["GLYPHPOSTER_GEMM"] {
        case "openblas": return .never
        case "packed": return .everyProduct
        default:
            guard optimisedBuild else { return .never }
            return avx512Cores.contains(openBLASCore.lowercased()) ? .teamProducts : .everyProduct
        }
    }

    /// Which kernel runs the products, for benchmark headers.
    static var kernelName: String {
        switch mode {
        case .never: return "OpenBLAS"
        case .teamProducts: return "GlyphPoster 12x32 AVX-512 on large products, OpenBLAS on small"
        case .everyProduct: return "GlyphPoster 12x32 AVX-512"
        }
    }

    /// C = alpha·op(A)·op(B) + beta·C, row-major with explicit leading dimensions (cblas_sgemm's contract;
    /// beta 0 never reads C). Single-threaded: `TeamGemm` splits products over the cores.
    static func sgemm(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                      _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int,
                      transposeA: Bool, transposeB: Bool, alpha: Float, beta: Float) {
        guard m > 0, n > 0 else { return }
        guard k > 0, alpha != 0 else { scale(c, ldc: ldc, m: m, n: n, by: beta); return }
        let blocks = Blocking(m: m, n: n, k: k)
        let count = blocks.rows * blocks.depth + blocks.columns * blocks.depth + tileRows * tileColumns
        // 64-byte aligned: a panel row is then one or two whole cache lines (a split load costs on every step).
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.size, alignment: 64)
        defer { raw.deallocate() }
        let ap = raw.bindMemory(to: Float.self, capacity: count), bp = ap + blocks.rows * blocks.depth
        let edge = bp + blocks.columns * blocks.depth
        blocks.forEachBlock(n: n, k: k) { columns, depth in
            packB(b, ldb: ldb, transposed: transposeB, depth: depth, columns: columns, into: bp)
            var ic = 0
            while ic < m {
                let rows = ic..<min(m, ic + blocks.rows)
                multiplyRows(a, lda: lda, transposeA: transposeA, alpha: alpha, rows: rows, depth: depth, packedB: bp,
                             columns: columns, c, ldc: ldc, beta: depth.lowerBound == 0 ? beta : 1, packedA: ap, edge: edge)
                ic = rows.upperBound
            }
        }
    }

    /// BLIS's block sizes for one product: depth (KC), rows (MC) and columns (NC).
    struct Blocking {
        let depth: Int, rows: Int, columns: Int

        init(m: Int, n: Int, k: Int) {
            let depthBlocks = (k + PackedGemm.depthBlock - 1) / PackedGemm.depthBlock
            depth = depthBlocks == 1 ? k : roundUp(k / depthBlocks + 1, 4)
            rows = min(PackedGemm.rowBlock, roundUp(m, tileRows))
            let widest = max(tileColumns, PackedGemm.blockFloats / depth / tileColumns * tileColumns)
            let columnBlocks = (n + widest - 1) / widest
            columns = roundUp((n + columnBlocks - 1) / columnBlocks, tileColumns)
        }

        /// Calls `body(columns, depth)` for every block of B, columns outermost (BLIS's jc and pc loops).
        func forEachBlock(n: Int, k: Int, _ body: (Range<Int>, Range<Int>) -> Void) {
            var jc = 0
            while jc < n {
                let columnRange = jc..<min(n, jc + columns)
                var pc = 0
                while pc < k {
                    let depthRange = pc..<min(k, pc + depth)
                    body(columnRange, depthRange)
                    pc = depthRange.upperBound
                }
                jc = columnRange.upperBound
            }
        }
    }

    /// C[rows, columns] (+)= alpha·op(A)[rows, depth]·B[depth, columns] for B's block packed in `packedB`:
    /// packs A's rows into `packedA` (rows.count·depth.count floats), then runs the 12-row panels of A
    /// against every 32-column panel of B (BLIS's ic body). `blockBeta` scales C (the first depth block
    /// applies the caller's beta; later ones add to what it left). `edge` is a 12x32 scratch tile.
    /// Where B has at most `inPlaceColumns` columns, A (not transposed, alpha 1) is read where it lies instead:
    /// each 12-row panel of A meets at most four panels of B, too few to pay for packing it (in the Winograd
    /// products of a 16x16 image, 16 columns wide, packing A cost more than the product).
    @inline(__always)
    static func multiplyRows(_ a: UnsafePointer<Float>, lda: Int, transposeA: Bool, alpha: Float, rows: Range<Int>,
                             depth: Range<Int>, packedB bp: UnsafePointer<Float>, columns: Range<Int>,
                             _ c: UnsafeMutablePointer<Float>, ldc: Int, beta blockBeta: Float,
                             packedA ap: UnsafeMutablePointer<Float>, edge: UnsafeMutablePointer<Float>) {
        let kb = depth.count, mb = rows.count, nb = columns.count
        let inPlace = !transposeA && alpha == 1 && nb <= inPlaceColumns
        if !inPlace { packA(a, lda: lda, transposed: transposeA, rows: rows, depth: depth, alpha: alpha, into: ap) }
        /// One 12-row panel of A (row r, step p at panelA[r·rowStride + p·step]) against every panel of B.
        @inline(__always) func panel(_ ir: Int, _ panelA: UnsafePointer<Float>, rowStride: Int, step: Int) {
            let panelRows = min(tileRows, mb - ir)
            var jr = 0
            while jr < nb {
                let panelColumns = min(tileColumns, nb - jr)
                let target = c + (rows.lowerBound + ir) * ldc + columns.lowerBound + jr
                if panelRows == tileRows && panelColumns == tileColumns {
                    microkernel(panelA, rowStride: rowStride, step: step, bp + jr * kb, depth: kb, target, ldc: ldc, beta: blockBeta)
                } else if panelRows == tileRows && panelColumns == halfTile {
                    halfMicrokernel(panelA, rowStride: rowStride, step: step, bp + jr * kb, depth: kb, target, ldc: ldc, beta: blockBeta)
                } else if panelColumns <= halfTile {
                    halfMicrokernel(panelA, rowStride: rowStride, step: step, bp + jr * kb, depth: kb, edge, ldc: tileColumns, beta: 0)
                    merge(edge, into: target, ldc: ldc, rows: panelRows, columns: panelColumns, beta: blockBeta)
                } else {
                    microkernel(panelA, rowStride: rowStride, step: step, bp + jr * kb, depth: kb, edge, ldc: tileColumns, beta: 0)
                    merge(edge, into: target, ldc: ldc, rows: panelRows, columns: panelColumns, beta: blockBeta)
                }
                jr += tileColumns
            }
        }
        var ir = 0
        while ir < mb {
            if !inPlace {
                panel(ir, ap + ir * kb, rowStride: 1, step: tileRows)
            } else if mb - ir >= tileRows {
                panel(ir, a + (rows.lowerBound + ir) * lda + depth.lowerBound, rowStride: lda, step: 1)
            } else {
                // The last rows, fewer than a panel: packed (zero rows below), not read past A's end.
                let last = (rows.lowerBound + ir)..<rows.upperBound
                packA(a, lda: lda, transposed: false, rows: last, depth: depth, alpha: 1, into: ap)
                panel(ir, ap, rowStride: 1, step: tileRows)
            }
            ir += tileRows
        }
    }

    /// B's columns up to which `multiplyRows` reads A in place (four panels).
    static let inPlaceColumns = 4 * tileColumns

    static func roundUp(_ n: Int, _ multiple: Int) -> Int { (n + multiple - 1) / multiple * multiple }

    /// C = beta·C (beta 0 writes zeros: NaNs in C do not survive, as in BLAS).
    static func scale(_ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, by beta: Float) {
        guard beta != 1 else { return }
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 { row.update(repeating: 0, count: n) } else { for j in 0..<n { row[j] *= beta } }
        }
    }

    /// An edge tile computed into a full 12x32 scratch tile: its valid part into C.
    static func merge(_ tile: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, ldc: Int,
                      rows: Int, columns: Int, beta: Float) {
        for r in 0..<rows {
            let source = tile + r * tileColumns, row = target + r * ldc
            if beta == 0 {
                for j in 0..<columns { row[j] = source[j] }
            } else if beta == 1 {
                for j in 0..<columns { row[j] += source[j] }
            } else {
                for j in 0..<columns { row[j] = beta * row[j] + source[j] }
            }
        }
    }

    /// alpha·op(A)[rows, depth] as panels of 12 rows, panel[p][r] (the 12 values one step broadcasts lie
    /// together), missing rows of the last panel zero.
    static func packA(_ a: UnsafePointer<Float>, lda: Int, transposed: Bool, rows: Range<Int>, depth: Range<Int>,
                      alpha: Float, into ap: UnsafeMutablePointer<Float>) {
        let kb = depth.count
        var panel = 0
        while panel < rows.count {
            let base = ap + panel * kb, count = min(tileRows, rows.count - panel), first = rows.lowerBound + panel
            if transposed {
                for p in 0..<kb {
                    let source = a + (depth.lowerBound + p) * lda + first, target = base + p * tileRows
                    for r in 0..<count { target[r] = alpha * source[r] }
                    for r in count..<tileRows { target[r] = 0 }
                }
            } else if count == tileRows {
                // Sixteen steps at a time through a register transpose (twelve rows read, sixteen floats stored a
                // step: each step's last four are overwritten by the next one's, so the last group stops short of
                // the panel's end), then twelve strided reads a step, written in order (a loop over rows first
                // became scattered stores).
                let source = a + first * lda + depth.lowerBound
                var start = 0
                if alpha == 1 {
                    while start + 16 < kb {
                        RegisterTranspose.transpose16(source + start, sourceStride: lda, rows: tileRows,
                                                      into: base + start * tileRows, targetStride: tileRows)
                        start += 16
                    }
                }
                for p in start..<kb {
                    let target = base + p * tileRows, column = source + p
                    target[0] = alpha * column[0]; target[1] = alpha * column[lda]; target[2] = alpha * column[2 * lda]
                    target[3] = alpha * column[3 * lda]; target[4] = alpha * column[4 * lda]; target[5] = alpha * column[5 * lda]
                    target[6] = alpha * column[6 * lda]; target[7] = alpha * column[7 * lda]; target[8] = alpha * column[8 * lda]
                    target[9] = alpha * column[9 * lda]; target[10] = alpha * column[10 * lda]; target[11] = alpha * column[11 * lda]
                }
            } else {
                let source = a + first * lda + depth.lowerBound
                for p in 0..<kb {
                    let target = base + p &* tileRows
                    for r in 0..<count { target[r] = alpha * source[r &* lda &+ p] }
                    for r in count..<tileRows { target[r] = 0 }
                }
            }
            panel += tileRows
        }
    }

    /// op(B)[depth, columns] as panels of 32 columns, panel[p][j], missing columns of the last panel zero.
    static func packB(_ b: UnsafePointer<Float>, ldb: Int, transposed: Bool, depth: Range<Int>, columns: Range<Int>,
                      into bp: UnsafeMutablePointer<Float>) {
        let kb = depth.count
        var panel = 0
        while panel < columns.count {
            let base = bp + panel * kb, count = min(tileColumns, columns.count - panel), first = columns.lowerBound + panel
            if transposed {
                // A step's 32 values lie ldb apart. Whole panels go through register transposes; the rest are
                // read one by one, written in order (a loop over columns first wrote them 32 floats apart, one
                // scalar store each: 12% of the small Winograd products' time).
                let source = b + first * ldb + depth.lowerBound
                var start = 0
                if count == tileColumns {
                    // Sixteen steps of a whole panel at a time: two register transposes of 16 columns each.
                    while start + 16 <= kb {
                        let target = base + start * tileColumns
                        RegisterTranspose.transpose16(source + start, sourceStride: ldb, into: target, targetStride: tileColumns)
                        RegisterTranspose.transpose16(source + 16 * ldb + start, sourceStride: ldb, into: target + 16,
                                                      targetStride: tileColumns)
                        start += 16
                    }
                }
                for p in start..<kb {
                    let target = base + p &* tileColumns, column = source + p
                    for j in 0..<count { target[j] = column[j &* ldb] }
                    for j in count..<tileColumns { target[j] = 0 }
                }
            } else {
                for p in 0..<kb {
                    let source = b + (depth.lowerBound + p) * ldb + first, target = base + p * tileColumns
                    for j in 0..<count { target[j] = source[j] }
                    for j in count..<tileColumns { target[j] = 0 }
                }
            }
            panel += tileColumns
        }
    }

    /// c[12, 32] = a·b + beta·c for a packed 12-row panel of A and 32-column panel of B (beta 0: c is not read).
    /// Twenty-four 16-float accumulators, two panel loads and one broadcast a row: 27 of the 32 registers.
    /// C's lines are prefetched first, so the stores at the end do not wait on memory; B's a few steps ahead.
    @inline(__always)
    static func microkernel(_ a: UnsafePointer<Float>, rowStride: Int = 1, step: Int = tileRows, _ b: UnsafePointer<Float>,
                            depth: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        typealias V = SIMD16<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        for r in 0..<tileRows {
            prefetchForWriting(c + r * ldc)
            prefetchForWriting(c + r * ldc + 16)
        }
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
        var c80 = V(), c81 = V(), c90 = V(), c91 = V(), ca0 = V(), ca1 = V(), cb0 = V(), cb1 = V()
        var pa = a, pb = b
        for _ in 0..<depth {
            // B's panels 4 KB ahead (32 steps): measured 3% on one thread, within this machine's noise.
            prefetchForReading(pb + prefetchDistance)
            prefetchForReading(pb + prefetchDistance + 16)
            let b0 = load(pb), b1 = load(pb + 16)
            var s = V(repeating: pa[0 &* rowStride]); c00.addProduct(s, b0); c01.addProduct(s, b1)
            s = V(repeating: pa[1 &* rowStride]); c10.addProduct(s, b0); c11.addProduct(s, b1)
            s = V(repeating: pa[2 &* rowStride]); c20.addProduct(s, b0); c21.addProduct(s, b1)
            s = V(repeating: pa[3 &* rowStride]); c30.addProduct(s, b0); c31.addProduct(s, b1)
            s = V(repeating: pa[4 &* rowStride]); c40.addProduct(s, b0); c41.addProduct(s, b1)
            s = V(repeating: pa[5 &* rowStride]); c50.addProduct(s, b0); c51.addProduct(s, b1)
            s = V(repeating: pa[6 &* rowStride]); c60.addProduct(s, b0); c61.addProduct(s, b1)
            s = V(repeating: pa[7 &* rowStride]); c70.addProduct(s, b0); c71.addProduct(s, b1)
            s = V(repeating: pa[8 &* rowStride]); c80.addProduct(s, b0); c81.addProduct(s, b1)
            s = V(repeating: pa[9 &* rowStride]); c90.addProduct(s, b0); c91.addProduct(s, b1)
            s = V(repeating: pa[10 &* rowStride]); ca0.addProduct(s, b0); ca1.addProduct(s, b1)
            s = V(repeating: pa[11 &* rowStride]); cb0.addProduct(s, b0); cb1.addProduct(s, b1)
            pa += step
            pb += tileColumns
        }
        @inline(__always) func store(_ row: Int, _ x: V, _ y: V) {
            let p = c + row * ldc
            if beta == 0 {
                UnsafeMutableRawPointer(p).storeBytes(of: x, as: V.self)
                UnsafeMutableRawPointer(p + 16).storeBytes(of: y, as: V.self)
            } else if beta == 1 {
                UnsafeMutableRawPointer(p).storeBytes(of: load(p) + x, as: V.self)
                UnsafeMutableRawPointer(p + 16).storeBytes(of: load(p + 16) + y, as: V.self)
            } else {
                UnsafeMutableRawPointer(p).storeBytes(of: beta * load(p) + x, as: V.self)
                UnsafeMutableRawPointer(p + 16).storeBytes(of: beta * load(p + 16) + y, as: V.self)
            }
        }
        store(0, c00, c01); store(1, c10, c11); store(2, c20, c21); store(3, c30, c31)
        store(4, c40, c41); store(5, c50, c51); store(6, c60, c61); store(7, c70, c71)
        store(8, c80, c81); store(9, c90, c91); store(10, ca0, ca1); store(11, cb0, cb1)
    }

    /// Columns of the half tile: a product 16 columns wide (the Winograd products of a 16x16 image have 16
    /// tiles) would otherwise spend half of every 12x32 step on the zero padding.
    static let halfTile = 16

    /// c[12, 16] = a·b + beta·c: `microkernel` on the first 16 columns of a packed 32-column panel of B.
    @inline(__always)
    static func halfMicrokernel(_ a: UnsafePointer<Float>, rowStride: Int = 1, step: Int = tileRows, _ b: UnsafePointer<Float>,
                                depth: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        typealias V = SIMD16<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        for r in 0..<tileRows { prefetchForWriting(c + r * ldc) }
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V(), c6 = V(), c7 = V(), c8 = V(), c9 = V(), ca = V(), cb = V()
        var pa = a, pb = b
        for _ in 0..<depth {
            let b0 = load(pb)
            c0.addProduct(V(repeating: pa[0 &* rowStride]), b0); c1.addProduct(V(repeating: pa[1 &* rowStride]), b0)
            c2.addProduct(V(repeating: pa[2 &* rowStride]), b0); c3.addProduct(V(repeating: pa[3 &* rowStride]), b0)
            c4.addProduct(V(repeating: pa[4 &* rowStride]), b0); c5.addProduct(V(repeating: pa[5 &* rowStride]), b0)
            c6.addProduct(V(repeating: pa[6 &* rowStride]), b0); c7.addProduct(V(repeating: pa[7 &* rowStride]), b0)
            c8.addProduct(V(repeating: pa[8 &* rowStride]), b0); c9.addProduct(V(repeating: pa[9 &* rowStride]), b0)
            ca.addProduct(V(repeating: pa[10 &* rowStride]), b0); cb.addProduct(V(repeating: pa[11 &* rowStride]), b0)
            pa += step
            pb += tileColumns
        }
        @inline(__always) func store(_ row: Int, _ x: V) {
            let p = c + row * ldc
            let value = beta == 0 ? x : (beta == 1 ? load(p) + x : beta * load(p) + x)
            UnsafeMutableRawPointer(p).storeBytes(of: value, as: V.self)
        }
        store(0, c0); store(1, c1); store(2, c2); store(3, c3); store(4, c4); store(5, c5)
        store(6, c6); store(7, c7); store(8, c8); store(9, c9); store(10, ca); store(11, cb)
    }

    /// Floats of B's packed panels between the step being computed and the one prefetched.
    static let prefetchDistance = 1024

    /// A hint that the line holding `p` is about to be read (x86 prefetcht0). Prefetching past the buffer's end is harmless.
    @inline(__always) static func prefetchForReading(_ p: UnsafePointer<Float>) {
        llvmPrefetch(UnsafeRawPointer(p), 0, 3, 1)
    }

    /// A hint that the line holding `p` is about to be written (x86 prefetchw; a no-op where unsupported).
    @inline(__always) static func prefetchForWriting(_ p: UnsafePointer<Float>) {
        llvmPrefetch(UnsafeRawPointer(p), 1, 3, 1)
    }
}

/// LLVM's prefetch intrinsic (address, write, locality 0-3, data cache): Swift has no prefetch of its own.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cache: Int32)
