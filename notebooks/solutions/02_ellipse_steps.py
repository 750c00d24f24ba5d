import course_lib as cl

# run descent with the gradient-norm stopping rule and count the steps (not the points)
path = cl.descend(cl.surface("ellipse"), cl.optimizers.SGD(lr=0.01), x0=[-1.2, 0.9], steps=5000, tol=1e-5)
n_steps = path.steps
